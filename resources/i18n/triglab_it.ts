<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About TrigLab</source>
        <translation>Informazioni su TrigLab</translation>
    </message>
    <message>
        <source>Looking for Alveo cards and AMD tools…</source>
        <translation>Ricerca di schede Alveo e strumenti AMD…</translation>
    </message>
    <message>
        <source>Look for Alveo cards and AMD tools</source>
        <translation>Cerca schede Alveo e strumenti AMD</translation>
    </message>
    <message>
        <source>Not looked for (see the Deploy view).</source>
        <translation>Ricerca non eseguita (vedi la vista Deploy).</translation>
    </message>
    <message>
        <source>Discovery failed: {0}</source>
        <translation>Ricerca fallita: {0}</translation>
    </message>
    <message>
        <source>From a Keras model to a real-time trigger.</source>
        <translation>Da un modello Keras a un trigger real-time.</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>Versioni</translation>
    </message>
    <message>
        <source>AMD tools and Alveo cards on this machine</source>
        <translation>Strumenti AMD e schede Alveo su questa macchina</translation>
    </message>
</context>
<context>
    <name>AppState</name>
    <message>
        <source>&apos;{0}&apos; is the classical coincidence-window trigger: no network to show here; it is compared in the Physics and Compare views</source>
        <translation>&apos;{0}&apos; è il trigger classico a finestre di coincidenza: qui non c&apos;è una rete da mostrare; si confronta nelle viste Fisica e Confronto</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>Origine</translation>
    </message>
    <message>
        <source>The variant it was derived from</source>
        <translation>La variante da cui deriva</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>Operazione</translation>
    </message>
    <message>
        <source>What made it</source>
        <translation>Come è stata ottenuta</translation>
    </message>
    <message>
        <source>Task metric</source>
        <translation>Metrica del task</translation>
    </message>
    <message>
        <source>Validation accuracy (%) or mean absolute error</source>
        <translation>Accuracy di validazione (%) o errore assoluto medio</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parametri</translation>
    </message>
    <message>
        <source>Number of weights</source>
        <translation>Numero di pesi</translation>
    </message>
    <message>
        <source>Non-zero</source>
        <translation>Non nulli</translation>
    </message>
    <message>
        <source>Weights that are not exactly zero</source>
        <translation>Pesi non esattamente nulli</translation>
    </message>
    <message>
        <source>Sparsity (%)</source>
        <translation>Sparsità (%)</translation>
    </message>
    <message>
        <source>Fraction of zero weights</source>
        <translation>Frazione di pesi nulli</translation>
    </message>
    <message>
        <source>Bits</source>
        <translation>Bit</translation>
    </message>
    <message>
        <source>Widest weight bit width (32 = float); mean in the tooltip</source>
        <translation>Numero massimo di bit dei pesi (32 = float); la media è nel tooltip</translation>
    </message>
    <message>
        <source>Dense (kB)</source>
        <translation>Densa (kB)</translation>
    </message>
    <message>
        <source>Every weight as a float32</source>
        <translation>Ogni peso come float32</translation>
    </message>
    <message>
        <source>Sparse (kB)</source>
        <translation>Sparsa (kB)</translation>
    </message>
    <message>
        <source>Non-zero float32 values plus indices (COO)</source>
        <translation>Valori float32 non nulli più indici (COO)</translation>
    </message>
    <message>
        <source>Quantized (kB)</source>
        <translation>Quantizzata (kB)</translation>
    </message>
    <message>
        <source>Weights at their bit widths, dense or COO (smaller)</source>
        <translation>Pesi con il loro numero di bit, in formato denso o COO (il più piccolo)</translation>
    </message>
    <message>
        <source>gzip (kB)</source>
        <translation>gzip (kB)</translation>
    </message>
    <message>
        <source>float32 weights compressed with gzip</source>
        <translation>Pesi float32 compressi con gzip</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Multiply-accumulates per inference</source>
        <translation>Moltiplicazioni-accumulo per inferenza</translation>
    </message>
    <message>
        <source>BOPs (10⁶)</source>
        <translation>BOP (10⁶)</translation>
    </message>
    <message>
        <source>Bit operations per inference (Baskin et al. 2021)</source>
        <translation>Operazioni sui bit per inferenza (Baskin et al. 2021)</translation>
    </message>
    <message>
        <source>Energy est. (nJ)</source>
        <translation>Energia stim. (nJ)</translation>
    </message>
    <message>
        <source>Estimated energy per inference, Horowitz 2014 (45 nm)</source>
        <translation>Energia stimata per inferenza, Horowitz 2014 (45 nm)</translation>
    </message>
    <message>
        <source>Latency est. (ns)</source>
        <translation>Latenza stim. (ns)</translation>
    </message>
    <message>
        <source>Estimated latency (no synthesis)</source>
        <translation>Latenza stimata (senza sintesi)</translation>
    </message>
    <message>
        <source>Plateau @{0} (%)</source>
        <extracomment>Per-threshold trigger columns: (metrics prefix, header with {0} = threshold, tooltip).</extracomment>
        <translation>Plateau @{0} (%)</translation>
    </message>
    <message>
        <source>Plateau efficiency of the fitted turn-on at the {0} GeV threshold</source>
        <translation>Efficienza di plateau della turn-on fittata alla soglia di {0} GeV</translation>
    </message>
    <message>
        <source>pT90 @{0} (GeV)</source>
        <translation>pT90 @{0} (GeV)</translation>
    </message>
    <message>
        <source>True pT at 90 % of the plateau, {0} GeV threshold (fitted)</source>
        <translation>pT vero al 90 % del plateau, soglia di {0} GeV (dal fit)</translation>
    </message>
    <message>
        <source>Rate vs classical @{0}</source>
        <translation>Rate vs classico @{0}</translation>
    </message>
    <message>
        <source>Rate on a falling muon spectrum relative to the classical trigger at the {0} GeV threshold, at equal efficiency above threshold (below 1: fewer triggers)</source>
        <translation>Rate su uno spettro di muoni decrescente rispetto al trigger classico alla soglia di {0} GeV, a pari efficienza sopra soglia (sotto 1: meno trigger)</translation>
    </message>
    <message>
        <source>FPGA est. (LUT / DSP)</source>
        <extracomment>Columns after the cost columns: the FPGA estimate and the timing in bunch crossings.</extracomment>
        <translation>Stima FPGA (LUT / DSP)</translation>
    </message>
    <message>
        <source>hls4ml resource estimate (no synthesis): LUTs / DSPs</source>
        <translation>Stima delle risorse di hls4ml (nessuna sintesi): LUT / DSP</translation>
    </message>
    <message>
        <source>Latency (BX)</source>
        <translation>Latenza (BX)</translation>
    </message>
    <message>
        <source>Latency in bunch crossings of 25 ns (LHC, 40 MHz); ≈: estimate, no synthesis</source>
        <translation>Latenza in bunch crossing da 25 ns (LHC, 40 MHz); ≈: stima, nessuna sintesi</translation>
    </message>
    <message>
        <source>II (BX)</source>
        <translation>II (BX)</translation>
    </message>
    <message>
        <source>Initiation interval in bunch crossings: above 1 the design cannot take an event every 25 ns (⚠)</source>
        <translation>Intervallo di iniziazione in bunch crossing: sopra 1 il progetto non può accettare un evento ogni 25 ns (⚠)</translation>
    </message>
    <message>
        <source>log x</source>
        <translation>log x</translation>
    </message>
    <message>
        <source>Logarithmic x axis (costs span orders of magnitude)</source>
        <translation>Asse x logaritmico (i costi coprono ordini di grandezza)</translation>
    </message>
    <message>
        <source>log y</source>
        <translation>log y</translation>
    </message>
    <message>
        <source>Logarithmic y axis</source>
        <translation>Asse y logaritmico</translation>
    </message>
    <message>
        <source>names</source>
        <translation>nomi</translation>
    </message>
    <message>
        <source>Label every point with its variant name</source>
        <translation>Etichetta ogni punto con il nome della variante</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Esporta</translation>
    </message>
    <message>
        <source>Table (CSV)…</source>
        <translation>Tabella (CSV)…</translation>
    </message>
    <message>
        <source>Plot (PNG/SVG)…</source>
        <translation>Grafico (PNG/SVG)…</translation>
    </message>
    <message>
        <source>X:</source>
        <translation>X:</translation>
    </message>
    <message>
        <source>Y:</source>
        <translation>Y:</translation>
    </message>
    <message>
        <source>Pareto front</source>
        <translation>Fronte di Pareto</translation>
    </message>
    <message>
        <source>variant</source>
        <translation>variante</translation>
    </message>
    <message>
        <source>Pareto-optimal</source>
        <translation>Pareto-ottimale</translation>
    </message>
    <message>
        <source>current</source>
        <translation>corrente</translation>
    </message>
    <message>
        <source>higher is better</source>
        <translation>più alto è meglio</translation>
    </message>
    <message>
        <source>lower is better</source>
        <translation>più basso è meglio</translation>
    </message>
    <message>
        <source>Accuracy (%)</source>
        <translation>Accuracy (%)</translation>
    </message>
    <message>
        <source>MAE</source>
        <translation>MAE</translation>
    </message>
    <message>
        <source>dataset: {0}</source>
        <translation>dataset: {0}</translation>
    </message>
    <message>
        <source>created: {0}</source>
        <translation>creata: {0}</translation>
    </message>
    <message>
        <source>Cannot take an event every 25 ns bunch crossing: it sees one in {0}</source>
        <translation>Non può accettare un evento a ogni bunch crossing da 25 ns: ne vede uno su {0}</translation>
    </message>
    <message>
        <source>classical coincidence-window trigger — no network</source>
        <translation>trigger classico a finestre di coincidenza — nessuna rete</translation>
    </message>
    <message>
        <source>acc {0} %</source>
        <extracomment>Columns that only a network has (blank for a baseline, never &quot;0&quot;).</extracomment>
        <translation>acc {0} %</translation>
    </message>
    <message>
        <source>MAE {0}</source>
        <translation>MAE {0}</translation>
    </message>
    <message>
        <source>mean {0} bits per weight</source>
        <translation>in media {0} bit per peso</translation>
    </message>
    <message>
        <source>{0}: weights {1}, inputs {2}</source>
        <translation>{0}: pesi {1}, ingressi {2}</translation>
    </message>
    <message>
        <source>{0}: weights {1}</source>
        <translation>{0}: pesi {1}</translation>
    </message>
    <message>
        <source>no bit widths measured</source>
        <translation>nessuna larghezza in bit misurata</translation>
    </message>
    <message>
        <source>Not plotted (value not measured, or ≤ 0 on a log axis): {0}</source>
        <translation>Non nel grafico (valore non misurato, o ≤ 0 su asse logaritmico): {0}</translation>
    </message>
    <message>
        <source>Not plotted (value not measured): {0}</source>
        <translation>Non nel grafico (valore non misurato): {0}</translation>
    </message>
    <message>
        <source>No variant has metrics to plot yet</source>
        <translation>Nessuna variante ha ancora metriche da mostrare</translation>
    </message>
    <message>
        <source>better: higher y, higher x</source>
        <translation>meglio: y maggiore, x maggiore</translation>
    </message>
    <message>
        <source>better: higher y, lower x</source>
        <translation>meglio: y maggiore, x minore</translation>
    </message>
    <message>
        <source>better: lower y, higher x</source>
        <translation>meglio: y minore, x maggiore</translation>
    </message>
    <message>
        <source>better: lower y, lower x</source>
        <translation>meglio: y minore, x minore</translation>
    </message>
    <message>
        <source>{0} of {1}</source>
        <translation>{0} di {1}</translation>
    </message>
    <message>
        <source>Cannot open variant</source>
        <translation>Impossibile aprire la variante</translation>
    </message>
    <message>
        <source>Export comparison table</source>
        <translation>Esporta tabella di confronto</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Cannot export table</source>
        <translation>Impossibile esportare la tabella</translation>
    </message>
    <message>
        <source>Exported {0} variants to {1}</source>
        <translation>{0} varianti esportate in {1}</translation>
    </message>
    <message>
        <source>Export plot</source>
        <translation>Esporta grafico</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG vector image (*.svg)</source>
        <translation>Immagine PNG (*.png);;Immagine vettoriale SVG (*.svg)</translation>
    </message>
    <message>
        <source>Cannot export plot</source>
        <translation>Impossibile esportare il grafico</translation>
    </message>
    <message>
        <source>Nothing was written to {0}</source>
        <translation>Non è stato scritto nulla in {0}</translation>
    </message>
    <message>
        <source>Saved plot to {0}</source>
        <translation>Grafico salvato in {0}</translation>
    </message>
</context>
<context>
    <name>CompressApply</name>
    <message>
        <source>none (every layer alike); e.g. {&quot;fc1&quot;: 0.9}</source>
        <translation>nessuno (tutti i layer uguali); es. {&quot;fc1&quot;: 0.9}</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parametri</translation>
    </message>
    <message>
        <source>default: &lt;variant&gt;-&lt;operation&gt;</source>
        <translation>predefinito: &lt;variant&gt;-&lt;operation&gt;</translation>
    </message>
    <message>
        <source>Apply to current variant</source>
        <translation>Applica alla variante corrente</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>Operazione</translation>
    </message>
    <message>
        <source>New variant name</source>
        <translation>Nome della nuova variante</translation>
    </message>
    <message>
        <source>No operation &apos;{0}&apos;</source>
        <translation>Operazione &apos;{0}&apos; inesistente</translation>
    </message>
    <message>
        <source>Open a workspace and select a variant to compress.</source>
        <translation>Apri un workspace e seleziona una variante da comprimere.</translation>
    </message>
    <message>
        <source>Failed: {0}</source>
        <translation>Fallito: {0}</translation>
    </message>
    <message>
        <source>Cancelled; the workspace is unchanged.</source>
        <translation>Annullato; il workspace non è cambiato.</translation>
    </message>
    <message>
        <source>Created &lt;b&gt;{0}&lt;/b&gt;. {1}, sparsity {2}</source>
        <translation>Creata &lt;b&gt;{0}&lt;/b&gt;. {1}, sparsità {2}</translation>
    </message>
</context>
<context>
    <name>CompressPreview</name>
    <message>
        <source>weights</source>
        <translation>pesi</translation>
    </message>
    <message>
        <source>zeros (sparsity)</source>
        <translation>zeri (sparsità)</translation>
    </message>
    <message>
        <source>pruned</source>
        <translation>rimossi</translation>
    </message>
    <message>
        <source>flushed to 0</source>
        <translation>arrotondati a 0</translation>
    </message>
    <message>
        <source>overflow</source>
        <translation>overflow</translation>
    </message>
    <message>
        <source>RMS error</source>
        <translation>errore RMS</translation>
    </message>
    <message>
        <source>max |error|</source>
        <translation>max |errore|</translation>
    </message>
    <message>
        <source>size fp32</source>
        <translation>dimensione fp32</translation>
    </message>
    <message>
        <source>size after</source>
        <translation>dimensione dopo</translation>
    </message>
    <message>
        <source>compression</source>
        <translation>compressione</translation>
    </message>
    <message>
        <source>The layer shown (selecting it here selects it in every view)</source>
        <translation>Il layer mostrato (selezionarlo qui lo seleziona in ogni vista)</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>weights per bin</source>
        <translation>pesi per bin</translation>
    </message>
    <message>
        <source>weight value</source>
        <translation>valore del peso</translation>
    </message>
    <message>
        <source>Zeros among all the weights (kernels and biases); the plot&apos;s title and the override table&apos;s &apos;reached&apos; count the kernel alone.</source>
        <translation>Zeri tra tutti i pesi (kernel e bias); il titolo del grafico e la colonna &apos;raggiunta&apos; della tabella per layer contano solo il kernel.</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>layer</translation>
    </message>
    <message>
        <source>whole model</source>
        <translation>modello intero</translation>
    </message>
    <message>
        <source>Task metric under the preview</source>
        <translation>Metrica del task con l&apos;anteprima</translation>
    </message>
    <message>
        <source>Open a model to preview its compression.</source>
        <translation>Apri un modello per l&apos;anteprima della sua compressione.</translation>
    </message>
    <message>
        <source>No weights.</source>
        <translation>Nessun peso.</translation>
    </message>
    <message>
        <source>float32 (not quantized)</source>
        <translation>float32 (non quantizzato)</translation>
    </message>
    <message>
        <source>pruned |w| ≤ {0}</source>
        <translation>rimossi |w| ≤ {0}</translation>
    </message>
    <message>
        <source>LSB {0}, range [{1}, {2}]</source>
        <translation>LSB {0}, intervallo [{1}, {2}]</translation>
    </message>
    <message>
        <source>grid lines every {0} LSB</source>
        <translation>linee della griglia ogni {0} LSB</translation>
    </message>
    <message>
        <source>original</source>
        <translation>originale</translation>
    </message>
    <message>
        <source>{0} zeros after</source>
        <translation>{0} zeri dopo</translation>
    </message>
    <message>
        <source>preview</source>
        <translation>anteprima</translation>
    </message>
    <message>
        <source>zeros after</source>
        <translation>zeri dopo</translation>
    </message>
    <message>
        <source>quantization grid</source>
        <translation>griglia di quantizzazione</translation>
    </message>
    <message>
        <source>fixed-point range</source>
        <translation>intervallo fixed point</translation>
    </message>
    <message>
        <source>Zeros after: the weights pruned or flushed to 0; the same bins before and after.</source>
        <translation>Zeri dopo: i pesi rimossi dal pruning o arrotondati a 0; stessi bin prima e dopo.</translation>
    </message>
    <message>
        <source>same bins before and after</source>
        <translation>stessi bin prima e dopo</translation>
    </message>
    <message>
        <source>layer {0}</source>
        <translation>layer {0}</translation>
    </message>
</context>
<context>
    <name>CompressView</name>
    <message>
        <source>Live preview</source>
        <translation>Anteprima live</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Applica</translation>
    </message>
    <message>
        <source>Sensitivity</source>
        <translation>Sensibilità</translation>
    </message>
    <message>
        <source>Pruning: before / after</source>
        <translation>Pruning: prima / dopo</translation>
    </message>
    <message>
        <source>Step 1 of 2: prune to {0}. When it is done, the form switches to &apos;{1}&apos; for step 2.</source>
        <translation>Passo 1 di 2: pruning a {0}. Al termine, il modulo passa a &apos;{1}&apos; per il passo 2.</translation>
    </message>
    <message>
        <source>Per-layer sparsities from the sensitivity analysis; fine-tuning recovers more.</source>
        <translation>Sparsità per layer dall&apos;analisi di sensibilità; il fine tuning recupera di più.</translation>
    </message>
    <message>
        <source>Step 1 done: &lt;b&gt;{0}&lt;/b&gt; is now current. Step 2: apply &lt;b&gt;{1}&lt;/b&gt; to it.</source>
        <translation>Passo 1 completato: ora &lt;b&gt;{0}&lt;/b&gt; è la variante corrente. Passo 2: applicale &lt;b&gt;{1}&lt;/b&gt;.</translation>
    </message>
</context>
<context>
    <name>CsimView</name>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>hls4ml layer</source>
        <translation>Layer hls4ml</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Output precision</source>
        <translation>Precisione output</translation>
    </message>
    <message>
        <source>Rel. error</source>
        <translation>Errore rel.</translation>
    </message>
    <message>
        <source>Overflow</source>
        <translation>Overflow</translation>
    </message>
    <message>
        <source>relative error of the layer&apos;s output vs Keras (rms Δ / rms Keras)</source>
        <translation>errore relativo dell&apos;output del layer rispetto a Keras (rms Δ / rms Keras)</translation>
    </message>
    <message>
        <source>tolerance</source>
        <translation>tolleranza</translation>
    </message>
    <message>
        <source>Run “Convert &amp; C-simulate” to compare the firmware with Keras.</source>
        <translation>Esegui “Converti &amp; simula in C” per confrontare il firmware con Keras.</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>sì</translation>
    </message>
    <message>
        <source>The first layer whose output goes wrong: look at its precision first</source>
        <translation>Il primo layer con output sbagliato: controlla prima la sua precisione</translation>
    </message>
    <message>
        <source>tolerance {0}</source>
        <translation>tolleranza {0}</translation>
    </message>
    <message>
        <source>{0} events</source>
        <translation>{0} eventi</translation>
    </message>
    <message>
        <source>of the events get the same class from the C simulation as from Keras</source>
        <translation>degli eventi ottengono dalla simulazione C la stessa classe che da Keras</translation>
    </message>
    <message>
        <source>Output error</source>
        <translation>Errore sull&apos;output</translation>
    </message>
    <message>
        <source>of the C simulation against Keras</source>
        <translation>della simulazione C rispetto a Keras</translation>
    </message>
    <message>
        <source>Robust pT resolution: firmware (C simulation) {0}, Keras {1}</source>
        <translation>Risoluzione robusta in pT: firmware (simulazione C) {0}, Keras {1}</translation>
    </message>
    <message>
        <source>C simulation − Keras at the output: max |Δ| {0}, mean |Δ| {1}, rms {2}</source>
        <translation>Simulazione C − Keras sull&apos;output: max |Δ| {0}, media |Δ| {1}, rms {2}</translation>
    </message>
    <message>
        <source>Accuracy on the labels: Keras {0}, C simulation {1}</source>
        <translation>Accuracy sulle etichette: Keras {0}, simulazione C {1}</translation>
    </message>
    <message>
        <source>{0} on the targets: Keras {1}, C simulation {2}</source>
        <translation>{0} sui target: Keras {1}, simulazione C {2}</translation>
    </message>
    <message>
        <source>its values exceed the output precision&apos;s range</source>
        <translation>i suoi valori superano l&apos;intervallo della precisione di output</translation>
    </message>
    <message>
        <source>First layer that goes wrong:</source>
        <translation>Primo layer che sbaglia:</translation>
    </message>
    <message>
        <source>Every traced layer within {0} relative error ({1} events traced)</source>
        <translation>Ogni layer tracciato è entro {0} di errore relativo ({1} eventi tracciati)</translation>
    </message>
    <message>
        <source>Stored result of this variant&apos;s last C simulation.</source>
        <translation>Risultato salvato dell&apos;ultima simulazione C di questa variante.</translation>
    </message>
    <message>
        <source>Cache hit: the compiled library was reused, ready in {0} s (no g++).</source>
        <translation>Già in cache: libreria compilata riusata, pronta in {0} s (niente g++).</translation>
    </message>
    <message>
        <source>Converted and compiled in {0} s, g++ {1} s.</source>
        <translation>Convertito e compilato in {0} s, g++ {1} s.</translation>
    </message>
    <message>
        <source>Converted and compiled in {0} s.</source>
        <translation>Convertito e compilato in {0} s.</translation>
    </message>
</context>
<context>
    <name>Deploy</name>
    <message>
        <source>emulated on CPU</source>
        <extracomment>Label attached to every number, plot title and JSON produced by an emulated target.</extracomment>
        <translation>emulato su CPU</translation>
    </message>
    <message>
        <source>DPU int8 as Vitis AI quantizes it (power-of-two scales), emulated in numpy</source>
        <extracomment>Calibration events taken from the variant&apos;s training split (Vitis AI advises 100 to 1000).</extracomment>
        <translation>DPU int8 quantizzata come fa Vitis AI (scale potenze di due), emulata in numpy</translation>
    </message>
    <message>
        <source>Alveo U50 DPU (DPUCAHX8H, Vitis AI): xmodel run through VART</source>
        <translation>DPU dell&apos;Alveo U50 (DPUCAHX8H, Vitis AI): xmodel eseguito tramite VART</translation>
    </message>
    <message>
        <source>hls4ml XRT kernel + host program, g++ build on this CPU (bit-exact with the C simulation)</source>
        <translation>kernel XRT di hls4ml + programma host, compilati con g++ su questa CPU (bit-exact con la simulazione C)</translation>
    </message>
    <message>
        <source>hls4ml XRT kernel on an Alveo U50 (v++ build, XRT host program)</source>
        <translation>kernel XRT di hls4ml su una Alveo U50 (build con v++, programma host XRT)</translation>
    </message>
</context>
<context>
    <name>DeployChecklist</name>
    <message>
        <source>AMD&apos;s Alveo U50 product page (amd.com → Alveo U50 → Getting Started / Downloads) → choose your OS → download the Xilinx Runtime (XRT) 2022.1 package and the U50 deployment target platform ({0}); install both (sudo apt install ./xrt_*.deb ./xilinx-u50-*.deb), flash the shell as AMD&apos;s U50 installation guide UG1370 says (xbmgmt program --base), cold-reboot, then check with &apos;xbutil examine&apos;. See docs/U50.md.</source>
        <translation>Pagina prodotto dell&apos;Alveo U50 sul sito AMD (amd.com → Alveo U50 → Getting Started / Downloads) → scegli il sistema operativo → scarica il pacchetto Xilinx Runtime (XRT) 2022.1 e la deployment target platform della U50 ({0}); installali entrambi (sudo apt install ./xrt_*.deb ./xilinx-u50-*.deb), programma la shell come indica la guida di installazione AMD della U50, UG1370 (xbmgmt program --base), riavvia a freddo, poi verifica con &apos;xbutil examine&apos;. Vedi docs/U50.md.</translation>
    </message>
    <message>
        <source>Same download page as XRT: the U50 &apos;development target platform&apos; package installs /opt/xilinx/platforms/{0}/{0}.xpfm, which v++ -l --platform needs.</source>
        <translation>Stessa pagina di download di XRT: il pacchetto &apos;development target platform&apos; della U50 installa /opt/xilinx/platforms/{0}/{0}.xpfm, che serve a v++ -l --platform.</translation>
    </message>
    <message>
        <source>Comes with XRT (not on PyPI): source /opt/xilinx/xrt/setup.sh so that $XILINX_XRT/python is on PYTHONPATH.</source>
        <translation>Arriva con XRT (non è su PyPI): esegui source /opt/xilinx/xrt/setup.sh in modo che $XILINX_XRT/python sia nel PYTHONPATH.</translation>
    </message>
    <message>
        <source>Debian/Ubuntu: sudo apt install libxrt-dev libxrt1 (XRT 2022.1, headers + libxrt_coreutil); or AMD&apos;s XRT package (/opt/xilinx/xrt/include). Optional: only to compile the real-XRT host program.</source>
        <translation>Debian/Ubuntu: sudo apt install libxrt-dev libxrt1 (XRT 2022.1, header + libxrt_coreutil); oppure il pacchetto XRT di AMD (/opt/xilinx/xrt/include). Facoltativo: serve solo per compilare il programma host con il vero XRT.</translation>
    </message>
    <message>
        <source>Vitis AI (github.com/Xilinx/Vitis-AI → the release&apos;s docs → Host Installation): pull the TensorFlow 2 CPU docker image (xilinx/vitis-ai-tensorflow2-cpu) and start it with docker_run.sh; vart, xir, vai_c_tensorflow2 and vitis_quantize are inside. Pick a release whose notes list the plain U50 for DPUCAHX8H (1.1-1.4 do; 2.0 onward list the U50LV/U55C). See docs/U50.md.</source>
        <translation>Vitis AI (github.com/Xilinx/Vitis-AI → documentazione della release → Host Installation): scarica l&apos;immagine docker TensorFlow 2 per CPU (xilinx/vitis-ai-tensorflow2-cpu) e avviala con docker_run.sh; vart, xir, vai_c_tensorflow2 e vitis_quantize sono al suo interno. Scegli una release le cui note elencano la U50 semplice per DPUCAHX8H (la 1.1-1.4 sì; dalla 2.0 in poi elencano U50LV/U55C). Vedi docs/U50.md.</translation>
    </message>
    <message>
        <source>AMD Vitis unified software platform 2022.1 or newer (amd.com → Developer → Vitis → Downloads), then source &lt;install&gt;/settings64.sh so that v++, vitis_hls/vitis-run and vivado are on PATH.</source>
        <translation>AMD Vitis unified software platform 2022.1 o successiva (amd.com → Developer → Vitis → Downloads), poi esegui source &lt;install&gt;/settings64.sh in modo che v++, vitis_hls/vitis-run e vivado siano nel PATH.</translation>
    </message>
    <message>
        <source>Debian/Ubuntu: sudo apt install g++ (any C++14 compiler).</source>
        <translation>Debian/Ubuntu: sudo apt install g++ (va bene qualsiasi compilatore C++14).</translation>
    </message>
    <message>
        <source>Debian/Ubuntu: sudo apt install pciutils (gives lspci; optional, /sys is read too).</source>
        <translation>Debian/Ubuntu: sudo apt install pciutils (fornisce lspci; facoltativo, viene letto anche /sys).</translation>
    </message>
    <message>
        <source>The card the course deploys to: both the DPU and the hls4ml kernel run on it.</source>
        <extracomment>Texts above made from a marked template: shown text -&gt; (template, its arguments), so that the app can show them translated (``translate(&quot;DeployChecklist&quot;, template).format(*arguments)``).</extracomment>
        <translation>La scheda su cui il corso fa il deploy: ci girano sia la DPU sia il kernel hls4ml.</translation>
    </message>
    <message>
        <source>Alveo U50 card</source>
        <translation>Scheda Alveo U50</translation>
    </message>
    <message>
        <source>XRT (Xilinx Runtime)</source>
        <translation>XRT (Xilinx Runtime)</translation>
    </message>
    <message>
        <source>Drives the card: loads the xclbin, moves buffers over PCIe, starts the kernel.</source>
        <translation>Pilota la scheda: carica l&apos;xclbin, sposta i buffer via PCIe, avvia il kernel.</translation>
    </message>
    <message>
        <source>xrt-smi / xbutil</source>
        <translation>xrt-smi / xbutil</translation>
    </message>
    <message>
        <source>Lists the cards and their shell (what this checklist reads).</source>
        <translation>Elenca le schede e la loro shell (ciò che questa checklist legge).</translation>
    </message>
    <message>
        <source>v++ links the hls4ml kernel against the platform (.xpfm) of the shell on the card.</source>
        <translation>v++ collega il kernel hls4ml alla piattaforma (.xpfm) della shell sulla scheda.</translation>
    </message>
    <message>
        <source>pyxrt (XRT&apos;s Python binding)</source>
        <translation>pyxrt (binding Python di XRT)</translation>
    </message>
    <message>
        <source>Lets the run-package runner drive the card from Python (u50-hls).</source>
        <translation>Permette al runner del pacchetto di esecuzione di pilotare la scheda da Python (u50-hls).</translation>
    </message>
    <message>
        <source>XRT headers + libxrt_coreutil</source>
        <translation>Header XRT + libxrt_coreutil</translation>
    </message>
    <message>
        <source>Compile the kernel path&apos;s host program against the real XRT (optional; the emulator uses a shim).</source>
        <translation>Compila il programma host del percorso kernel con il vero XRT (facoltativo; l&apos;emulatore usa uno shim).</translation>
    </message>
    <message>
        <source>Vitis AI runtime (vart, xir)</source>
        <translation>Runtime Vitis AI (vart, xir)</translation>
    </message>
    <message>
        <source>Runs the compiled .xmodel on the U50&apos;s DPU (u50-dpu).</source>
        <translation>Esegue l&apos;.xmodel compilato sulla DPU della U50 (u50-dpu).</translation>
    </message>
    <message>
        <source>vai_c_tensorflow2 (Vitis AI compiler)</source>
        <translation>vai_c_tensorflow2 (compilatore Vitis AI)</translation>
    </message>
    <message>
        <source>Compiles the int8 model into a DPUCAHX8H .xmodel.</source>
        <translation>Compila il modello int8 in un .xmodel per DPUCAHX8H.</translation>
    </message>
    <message>
        <source>U50 DPU arch.json (DPUCAHX8H)</source>
        <translation>arch.json della DPU U50 (DPUCAHX8H)</translation>
    </message>
    <message>
        <source>Tells vai_c_tensorflow2 which DPU it compiles for.</source>
        <translation>Dice a vai_c_tensorflow2 per quale DPU compilare.</translation>
    </message>
    <message>
        <source>Vitis AI quantizer (vitis_quantize)</source>
        <translation>Quantizzatore Vitis AI (vitis_quantize)</translation>
    </message>
    <message>
        <source>Quantizes to int8 with the DPU&apos;s power-of-two scales (the emulator-dpu does the same in numpy).</source>
        <translation>Quantizza a int8 con le scale potenze di due della DPU (emulator-dpu fa lo stesso in numpy).</translation>
    </message>
    <message>
        <source>v++ (Vitis compiler and linker)</source>
        <translation>v++ (compilatore e linker Vitis)</translation>
    </message>
    <message>
        <source>Builds the hls4ml kernel into an .xclbin for the U50 (v++ -c, v++ -l --platform).</source>
        <translation>Compila il kernel hls4ml in un .xclbin per la U50 (v++ -c, v++ -l --platform).</translation>
    </message>
    <message>
        <source>vitis-run / vitis_hls</source>
        <translation>vitis-run / vitis_hls</translation>
    </message>
    <message>
        <source>Synthesizes the hls4ml project (Synthesis tab) and the kernel inside v++.</source>
        <translation>Sintetizza il progetto hls4ml (scheda Sintesi) e il kernel dentro v++.</translation>
    </message>
    <message>
        <source>vivado</source>
        <translation>vivado</translation>
    </message>
    <message>
        <source>Implements the design inside v++ -l (place and route).</source>
        <translation>Implementa il design dentro v++ -l (place and route).</translation>
    </message>
    <message>
        <source>g++ (C++ compiler)</source>
        <translation>g++ (compilatore C++)</translation>
    </message>
    <message>
        <source>Compiles the same kernel C++ for emulator-hls and hls4ml&apos;s C simulation.</source>
        <translation>Compila lo stesso C++ del kernel per emulator-hls e per la simulazione C di hls4ml.</translation>
    </message>
    <message>
        <source>lspci (pciutils)</source>
        <translation>lspci (pciutils)</translation>
    </message>
    <message>
        <source>Sees a card on the PCI bus even without XRT.</source>
        <translation>Vede una scheda sul bus PCI anche senza XRT.</translation>
    </message>
</context>
<context>
    <name>DeployView</name>
    <message>
        <source>✔ found</source>
        <translation>✔ trovato</translation>
    </message>
    <message>
        <source>◐ partial</source>
        <translation>◐ parziale</translation>
    </message>
    <message>
        <source>✘ missing</source>
        <translation>✘ mancante</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>sì</translation>
    </message>
    <message>
        <source>no</source>
        <translation>no</translation>
    </message>
    <message>
        <source>{0} listed</source>
        <translation>{0} elencati</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>Device: {0}</source>
        <translation>Dispositivo: {0}</translation>
    </message>
    <message>
        <source>Events: {0} in batches of {1}</source>
        <translation>Eventi: {0} in batch da {1}</translation>
    </message>
    <message>
        <source>Throughput: {0} events/s</source>
        <translation>Throughput: {0} eventi/s</translation>
    </message>
    <message>
        <source>Batch latency (transfers included): p50 {0}, p99 {1}</source>
        <translation>Latenza per batch (trasferimenti inclusi): p50 {0}, p99 {1}</translation>
    </message>
    <message>
        <source>Keras (float)</source>
        <translation>Keras (float)</translation>
    </message>
    <message>
        <source>C simulation</source>
        <translation>Simulazione C</translation>
    </message>
    <message>
        <source>Agreement with {0}: {1}</source>
        <translation>Accordo con {0}: {1}</translation>
    </message>
    <message>
        <source>Task metrics{0}: {1}</source>
        <translation>Metriche del task{0}: {1}</translation>
    </message>
    <message>
        <source>Looking for Alveo cards and AMD tools…</source>
        <translation>Ricerca di schede Alveo e strumenti AMD…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aggiorna</translation>
    </message>
    <message>
        <source>Look again (runs xrt-smi/xbutil and lspci in the background)</source>
        <translation>Cerca di nuovo (esegue xrt-smi/xbutil e lspci in background)</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Elemento</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>Found / missing</source>
        <translation>Trovato / mancante</translation>
    </message>
    <message>
        <source>Select a row: why it matters and how to install it.</source>
        <translation>Seleziona una riga: perché serve e come installarlo.</translation>
    </message>
    <message>
        <source>Events taken from the variant&apos;s data set</source>
        <translation>Eventi presi dal dataset della variante</translation>
    </message>
    <message>
        <source>Events per transfer to the card: one write + run + read per batch</source>
        <translation>Eventi per trasferimento alla scheda: una scrittura + esecuzione + lettura per batch</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Esegui</translation>
    </message>
    <message>
        <source>Write run package…</source>
        <translation>Scrivi pacchetto di esecuzione…</translation>
    </message>
    <message>
        <source>A .zip for the lab server that has the card: its runner writes a results JSON</source>
        <translation>Uno .zip per il server del laboratorio che ha la scheda: il suo runner scrive un JSON di risultati</translation>
    </message>
    <message>
        <source>Import results…</source>
        <translation>Importa risultati…</translation>
    </message>
    <message>
        <source>Read the results JSON the lab server&apos;s runner wrote</source>
        <translation>Legge il JSON di risultati scritto dal runner del server del laboratorio</translation>
    </message>
    <message>
        <source>user@host (default: Preferences → Lab server)</source>
        <translation>user@host (default: Preferenze → Server del laboratorio)</translation>
    </message>
    <message>
        <source>The lab server with the U50, reached with your own ssh keys</source>
        <translation>Il server del laboratorio con la U50, raggiunto con le tue chiavi ssh</translation>
    </message>
    <message>
        <source>Run on lab server</source>
        <translation>Esegui sul server</translation>
    </message>
    <message>
        <source>Write the run package, run it on the lab server&apos;s card over ssh, import the results</source>
        <translation>Scrive il pacchetto di esecuzione, lo esegue via ssh sulla scheda del server del laboratorio, importa i risultati</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Target</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Eventi</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Dimensione del batch</translation>
    </message>
    <message>
        <source>Lab server</source>
        <translation>Server del laboratorio</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Risultato</translation>
    </message>
    <message>
        <source>No run yet.</source>
        <translation>Ancora nessuna esecuzione.</translation>
    </message>
    <message>
        <source>Look for Alveo cards and AMD tools</source>
        <translation>Cerca schede Alveo e strumenti AMD</translation>
    </message>
    <message>
        <source>Discovery failed: {0}</source>
        <translation>Ricerca fallita: {0}</translation>
    </message>
    <message>
        <source>{0}

Why: {1}

How: {2}</source>
        <translation>{0}

Perché: {1}

Come: {2}</translation>
    </message>
    <message>
        <source>Why it matters:</source>
        <translation>Perché serve:</translation>
    </message>
    <message>
        <source>How to get it:</source>
        <translation>Come ottenerlo:</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>non verificato</translation>
    </message>
    <message>
        <source>{0} — unavailable</source>
        <translation>{0} — non disponibile</translation>
    </message>
    <message>
        <source>
Fix: {0}</source>
        <translation>
Soluzione: {0}</translation>
    </message>
    <message>
        <source>no deploy target is registered in this build</source>
        <translation>nessun target di deploy è registrato in questa build</translation>
    </message>
    <message>
        <source>No variant selected</source>
        <translation>Nessuna variante selezionata</translation>
    </message>
    <message>
        <source>data set: {0}</source>
        <translation>dataset: {0}</translation>
    </message>
    <message>
        <source>none (choose a variant with a data set)</source>
        <translation>nessuno (scegli una variante con un dataset)</translation>
    </message>
    <message>
        <source>Last run of {0} ({1}): {2}.</source>
        <translation>Ultima esecuzione di {0} ({1}): {2}.</translation>
    </message>
    <message>
        <source>{0} is not available in this build: {1}</source>
        <translation>{0} non è disponibile in questa build: {1}</translation>
    </message>
    <message>
        <source>Select a variant and an available target.</source>
        <translation>Seleziona una variante e un target disponibile.</translation>
    </message>
    <message>
        <source>Run {0} on {1}</source>
        <translation>Esegui {0} su {1}</translation>
    </message>
    <message>
        <source>Select a variant, and give the lab server as user@host.</source>
        <translation>Seleziona una variante e indica il server del laboratorio come user@host.</translation>
    </message>
    <message>
        <source>Select a variant and a target.</source>
        <translation>Seleziona una variante e un target.</translation>
    </message>
    <message>
        <source>Run package {0} → {1}</source>
        <translation>Pacchetto di esecuzione {0} → {1}</translation>
    </message>
    <message>
        <source>Run package written: {0}</source>
        <translation>Pacchetto di esecuzione scritto: {0}</translation>
    </message>
    <message>
        <source>Import results into {0}</source>
        <translation>Importa i risultati in {0}</translation>
    </message>
    <message>
        <source>Write run package</source>
        <translation>Scrivi pacchetto di esecuzione</translation>
    </message>
    <message>
        <source>Run packages (*.zip)</source>
        <translation>Pacchetti di esecuzione (*.zip)</translation>
    </message>
    <message>
        <source>Import results</source>
        <translation>Importa risultati</translation>
    </message>
    <message>
        <source>Results (*.json);;All files (*)</source>
        <translation>Risultati (*.json);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>Failed: {0}</source>
        <translation>Fallito: {0}</translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation>Deploy</translation>
    </message>
    <message>
        <source>Result — {0}</source>
        <translation>Risultato — {0}</translation>
    </message>
    <message>
        <source>Done: {0}.</source>
        <translation>Fatto: {0}.</translation>
    </message>
</context>
<context>
    <name>Help</name>
    <message>
        <source>not installed</source>
        <extracomment>Shown name -&gt; distribution names to try, in order (the first one installed wins). Discovery&apos;s tool keys shown in About, in this order (AMD&apos;s tools, then the compiler the C simulation and the emulators need).</extracomment>
        <translation>non installato</translation>
    </message>
    <message>
        <source>found</source>
        <translation>trovato</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>non trovato</translation>
    </message>
</context>
<context>
    <name>HistogramPlot</name>
    <message>
        <source>{0} zeros</source>
        <translation>{0} zeri</translation>
    </message>
    <message>
        <source>{0} in {1}</source>
        <translation>{0} in {1}</translation>
    </message>
    <message>
        <source>▲ {0} (bar cut)</source>
        <translation>▲ {0} (barra tagliata)</translation>
    </message>
    <message>
        <source>min</source>
        <translation>min</translation>
    </message>
    <message>
        <source>max</source>
        <translation>max</translation>
    </message>
</context>
<context>
    <name>HlsActionsMixin</name>
    <message>
        <source>Calibration changed: run “Profile” again.</source>
        <translation>Calibrazione cambiata: esegui di nuovo “Profila”.</translation>
    </message>
    <message>
        <source>Profile from the cache (same variant and calibration).</source>
        <translation>Profilo dalla cache (stessa variante e calibrazione).</translation>
    </message>
    <message>
        <source>Profile {0} for hls4ml</source>
        <translation>Profilazione di {0} per hls4ml</translation>
    </message>
    <message>
        <source>Profiling… (the model runs on the calibration events)</source>
        <translation>Profilazione… (il modello gira sugli eventi di calibrazione)</translation>
    </message>
    <message>
        <source>Profiled {0} layers on {1} in {2} s.</source>
        <translation>{0} layer profilati su {1} in {2} s.</translation>
    </message>
    <message>
        <source>Auto precision {0} ({1})</source>
        <translation>Precisione automatica per {0} ({1})</translation>
    </message>
    <message>
        <source>Choosing precisions…</source>
        <translation>Scelta delle precisioni…</translation>
    </message>
    <message>
        <source>C simulation</source>
        <translation>simulazione C</translation>
    </message>
    <message>
        <source>emulation</source>
        <translation>emulazione</translation>
    </message>
    <message>
        <source>reached</source>
        <translation>raggiunto</translation>
    </message>
    <message>
        <source>NOT reached</source>
        <translation>NON raggiunto</translation>
    </message>
    <message>
        <source>Auto precision applied: {0} agreement ({1}) on {2}; target {3}</source>
        <translation>Precisione automatica applicata: accordo del {0} ({1}) su {2}; obiettivo {3}</translation>
    </message>
    <message>
        <source>{0} bits over all precisions.</source>
        <translation>{0} bit in totale su tutte le precisioni.</translation>
    </message>
    <message>
        <source>Not run: {0} {1} is invalid ({2}); fix or undo it first.</source>
        <translation>Non eseguito: {0} {1} non è valido ({2}); correggilo o annulla prima la modifica.</translation>
    </message>
    <message>
        <source>Convert and C-simulate {0}</source>
        <translation>Conversione e simulazione C di {0}</translation>
    </message>
    <message>
        <source>Converting, compiling with g++ (the log streams into the Jobs dock)…</source>
        <translation>Conversione e compilazione con g++ (il log scorre nel pannello Job)…</translation>
    </message>
    <message>
        <source>{0} agreement with Keras</source>
        <translation>accordo del {0} con Keras</translation>
    </message>
    <message>
        <source>output rms error {0}</source>
        <translation>errore rms sull&apos;output {0}</translation>
    </message>
    <message>
        <source>cache hit</source>
        <translation>già in cache</translation>
    </message>
    <message>
        <source>compiled in {0} s</source>
        <translation>compilato in {0} s</translation>
    </message>
    <message>
        <source>C simulation: {0} ({1}).</source>
        <translation>Simulazione C: {0} ({1}).</translation>
    </message>
    <message>
        <source>The estimate of {0} failed: {1}; the C-simulation numbers are stored.</source>
        <translation>La stima di {0} non è riuscita: {1}; i numeri della simulazione C sono salvati.</translation>
    </message>
    <message>
        <source>Could not save the configuration of {0} to {1}: {2}</source>
        <translation>Impossibile salvare la configurazione di {0} in {1}: {2}</translation>
    </message>
    <message>
        <source>Could not store the C-simulation result of {0} in {1}: {2}; the numbers are on the variant, the layer table is shown only until another variant is selected.</source>
        <translation>Impossibile salvare il risultato della simulazione C di {0} in {1}: {2}; i numeri sono sulla variante, la tabella dei layer resta visibile solo finché non si sceglie un&apos;altra variante.</translation>
    </message>
    <message>
        <source>Could not save the workspace {0}: {1}</source>
        <translation>Impossibile salvare il workspace {0}: {1}</translation>
    </message>
    <message>
        <source>No Vivado/Vitis HLS found: searched {0} on PATH ({1}). Showing the analytic estimate instead; export the project to synthesize elsewhere.</source>
        <translation>Nessun Vivado/Vitis HLS trovato: cercati {0} nel PATH ({1}). Viene mostrata invece la stima analitica; esporta il progetto per sintetizzarlo altrove.</translation>
    </message>
    <message>
        <source>{0} found ({1}). C synthesis takes minutes to hours; Cancel stops it.</source>
        <translation>{0} trovato ({1}). La sintesi C richiede da minuti a ore; Annulla la interrompe.</translation>
    </message>
    <message>
        <source>Synthesize {0} ({1})</source>
        <translation>Sintesi di {0} ({1})</translation>
    </message>
    <message>
        <source>Vendor synthesis running; its log streams into the Jobs dock.</source>
        <translation>Sintesi con il tool AMD in corso; il suo log scorre nel pannello Job.</translation>
    </message>
    <message>
        <source>synthesized on this machine ({0})</source>
        <translation>sintetizzato su questa macchina ({0})</translation>
    </message>
    <message>
        <source>Vendor synthesis done: {0} cycles, {1} DSP, {2} LUT.</source>
        <translation>Sintesi con il tool AMD completata: {0} cicli, {1} DSP, {2} LUT.</translation>
    </message>
    <message>
        <source>stored on the variant</source>
        <translation>salvato nella variante</translation>
    </message>
    <message>
        <source>The estimate failed: {0}</source>
        <translation>La stima è fallita: {0}</translation>
    </message>
    <message>
        <source>Schedule: {0}, {1}.</source>
        <translation>Schedulazione: {0}, {1}.</translation>
    </message>
    <message>
        <source>Unrolled: {0}.</source>
        <translation>Srotolato: {0}.</translation>
    </message>
    <message>
        <source>{0} ParallelizationFactor {1}</source>
        <translation>{0} ParallelizationFactor {1}</translation>
    </message>
</context>
<context>
    <name>HlsFilesMixin</name>
    <message>
        <source>No configuration to export: select a variant first.</source>
        <translation>Nessuna configurazione da esportare: seleziona prima una variante.</translation>
    </message>
    <message>
        <source>Configuration written to {0}</source>
        <translation>Configurazione scritta in {0}</translation>
    </message>
    <message>
        <source>Select a variant before loading a configuration.</source>
        <translation>Seleziona una variante prima di caricare una configurazione.</translation>
    </message>
    <message>
        <source>The configuration in {0} does not match {1}:</source>
        <translation>La configurazione in {0} non corrisponde a {1}:</translation>
    </message>
    <message>
        <source>layers it lacks: {0}.</source>
        <translation>layer che le mancano: {0}.</translation>
    </message>
    <message>
        <source>layers this variant does not have: {0}.</source>
        <translation>layer che questa variante non ha: {0}.</translation>
    </message>
    <message>
        <source>Configuration loaded from {0}</source>
        <translation>Configurazione caricata da {0}</translation>
    </message>
    <message>
        <source>Export the hls4ml project of {0}</source>
        <translation>Esporta il progetto hls4ml di {0}</translation>
    </message>
    <message>
        <source>Project written to {0}: run its README&apos;s command where Vitis is.</source>
        <translation>Progetto scritto in {0}: esegui il comando del suo README dove è installato Vitis.</translation>
    </message>
    <message>
        <source>Select the variant the report belongs to first.</source>
        <translation>Seleziona prima la variante a cui appartiene il report.</translation>
    </message>
    <message>
        <source>imported from {0}</source>
        <translation>importato da {0}</translation>
    </message>
    <message>
        <source>Vendor report {0}: {1} cycles, {2} DSP, {3} LUT.</source>
        <translation>Report del tool AMD {0}: {1} cicli, {2} DSP, {3} LUT.</translation>
    </message>
    <message>
        <source>Added to the local calibration store ({0} pairs); “triglab-cli hls calibrate” refits the estimate on them.</source>
        <translation>Aggiunto all&apos;archivio locale di calibrazione ({0} coppie); “triglab-cli hls calibrate” ricalibra la stima su di esse.</translation>
    </message>
    <message>
        <source>Already in the local calibration store.</source>
        <translation>Già presente nell&apos;archivio locale di calibrazione.</translation>
    </message>
    <message>
        <source>Not added to the calibration store: the project was exported with another configuration than the one shown here.</source>
        <translation>Non aggiunto all&apos;archivio di calibrazione: il progetto è stato esportato con una configurazione diversa da quella mostrata qui.</translation>
    </message>
    <message>
        <source>Not added to the calibration store: the report is for {0} at {1} ns, this configuration for {2} at {3} ns.</source>
        <translation>Non aggiunto all&apos;archivio di calibrazione: il report è per {0} a {1} ns, questa configurazione per {2} a {3} ns.</translation>
    </message>
    <message>
        <source>Not added to the calibration store: this TrigLab&apos;s estimate cannot be calibrated.</source>
        <translation>Non aggiunto all&apos;archivio di calibrazione: la stima di questo TrigLab non si può calibrare.</translation>
    </message>
    <message>
        <source>Not added to the calibration store: {0}</source>
        <translation>Non aggiunto all&apos;archivio di calibrazione: {0}</translation>
    </message>
    <message>
        <source>Refit the estimate</source>
        <translation>Ricalibra la stima</translation>
    </message>
    <message>
        <source>No report stored yet: the shipped calibration stays (a build or an imported report adds one).</source>
        <translation>Nessun report salvato finora: resta la calibrazione fornita (una build o un report importato ne aggiunge uno).</translation>
    </message>
    <message>
        <source>Estimate refitted on {0} reference designs and {1} report(s) of this lab</source>
        <translation>Stima ricalibrata su {0} progetti di riferimento e {1} report di questo laboratorio</translation>
    </message>
    <message>
        <source>; LUT within 2× on {0} of them (leave-one-out).</source>
        <translation>; LUT entro 2× su {0} di essi (leave-one-out).</translation>
    </message>
    <message>
        <source>{0} damaged line(s) of {1} skipped (see the log).</source>
        <translation>{0} righe danneggiate di {1} saltate (vedi il log).</translation>
    </message>
    <message>
        <source>Export hls4ml configuration</source>
        <translation>Esporta configurazione hls4ml</translation>
    </message>
    <message>
        <source>hls4ml YAML (*.yml *.yaml)</source>
        <translation>YAML hls4ml (*.yml *.yaml)</translation>
    </message>
    <message>
        <source>Cannot export the configuration</source>
        <translation>Impossibile esportare la configurazione</translation>
    </message>
    <message>
        <source>Load hls4ml configuration</source>
        <translation>Carica configurazione hls4ml</translation>
    </message>
    <message>
        <source>Cannot load the configuration</source>
        <translation>Impossibile caricare la configurazione</translation>
    </message>
    <message>
        <source>Export hls4ml project</source>
        <translation>Esporta progetto hls4ml</translation>
    </message>
    <message>
        <source>Zip archive (*.zip)</source>
        <translation>Archivio zip (*.zip)</translation>
    </message>
    <message>
        <source>Cannot export the project</source>
        <translation>Impossibile esportare il progetto</translation>
    </message>
    <message>
        <source>Import a vendor report (csynth.xml, or the zipped project after synthesis)</source>
        <translation>Importa un report del tool AMD (csynth.xml, o il progetto zippato dopo la sintesi)</translation>
    </message>
    <message>
        <source>Synthesis reports (*.xml *.zip);;All files (*)</source>
        <translation>Report di sintesi (*.xml *.zip);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>Cannot import the report</source>
        <translation>Impossibile importare il report</translation>
    </message>
    <message>
        <source>Already running; wait for it or cancel it.</source>
        <translation>Già in esecuzione: attendi o annullalo.</translation>
    </message>
    <message>
        <source>{0}: queued (heavy jobs run one at a time; see the Jobs dock)</source>
        <translation>{0}: in coda (i job pesanti girano uno alla volta; vedi il pannello Job)</translation>
    </message>
    <message>
        <source>Profiling failed</source>
        <translation>Profilazione fallita</translation>
    </message>
    <message>
        <source>Auto precision failed</source>
        <translation>Precisione automatica fallita</translation>
    </message>
    <message>
        <source>Conversion or C simulation failed</source>
        <translation>Conversione o simulazione C fallita</translation>
    </message>
    <message>
        <source>Vendor synthesis failed</source>
        <translation>Sintesi con il tool AMD fallita</translation>
    </message>
    <message>
        <source>Project export failed</source>
        <translation>Esportazione del progetto fallita</translation>
    </message>
    <message>
        <source>Refitting the estimate failed</source>
        <translation>Ricalibrazione della stima non riuscita</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Annullato.</translation>
    </message>
</context>
<context>
    <name>HlsFormMixin</name>
    <message>
        <source>Vitis HLS (default) or the older Vivado HLS</source>
        <translation>Vitis HLS (predefinito) o il più vecchio Vivado HLS</translation>
    </message>
    <message>
        <source>FPGA part; the Alveo U50 carries the xcu50-fsvh2104-2-e</source>
        <translation>Part dell&apos;FPGA; sull&apos;Alveo U50 è xcu50-fsvh2104-2-e</translation>
    </message>
    <message>
        <source>Target clock period</source>
        <translation>Periodo di clock desiderato</translation>
    </message>
    <message>
        <source>io_parallel: arrays, lowest latency; io_stream: FIFOs, for larger CNNs</source>
        <translation>io_parallel: array, latenza minima; io_stream: FIFO, per CNN più grandi</translation>
    </message>
    <message>
        <source>Precision of everything not set per layer (rows that follow it change too)</source>
        <translation>Precisione di tutto ciò che non è impostato per layer (cambiano anche le righe che la seguono)</translation>
    </message>
    <message>
        <source>Default reuse factor (rows that follow it change too)</source>
        <translation>Reuse factor predefinito (cambiano anche le righe che lo seguono)</translation>
    </message>
    <message>
        <source>Default strategy (rows that follow it change too)</source>
        <translation>Strategia predefinita (cambiano anche le righe che la seguono)</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Target</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Part</translation>
    </message>
    <message>
        <source>Clock period</source>
        <translation>Periodo di clock</translation>
    </message>
    <message>
        <source>I/O type</source>
        <translation>Tipo di I/O</translation>
    </message>
    <message>
        <source>Default precision</source>
        <translation>Precisione predefinita</translation>
    </message>
    <message>
        <source>Default reuse</source>
        <translation>Reuse predefinito</translation>
    </message>
    <message>
        <source>Default strategy</source>
        <translation>Strategia predefinita</translation>
    </message>
    <message>
        <source>Events the activations are profiled on and the precision is tuned on</source>
        <translation>Eventi su cui si profilano le attivazioni e si ottimizza la precisione</translation>
    </message>
    <message>
        <source>Number of calibration events</source>
        <translation>Numero di eventi di calibrazione</translation>
    </message>
    <message>
        <source>Events whose firmware output must agree with Keras (classification: same class; regression: within 1 % relative error)</source>
        <translation>Eventi su cui l&apos;output del firmware deve concordare con Keras (classificazione: stessa classe; regressione: entro l&apos;1 % di errore relativo)</translation>
    </message>
    <message>
        <source>confirm by C simulation</source>
        <translation>conferma con simulazione C</translation>
    </message>
    <message>
        <source>Compile the chosen precisions (g++) and check the agreement bit-accurately</source>
        <translation>Compila le precisioni scelte (g++) e verifica l&apos;accordo esatto al bit</translation>
    </message>
    <message>
        <source>Auto precision</source>
        <translation>Precisione auto</translation>
    </message>
    <message>
        <source>Fewest bits per layer that keep the agreement target</source>
        <translation>Il minor numero di bit per layer che mantiene l&apos;accordo richiesto</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>Profila</translation>
    </message>
    <message>
        <source>Weights and activations of every layer against their precision</source>
        <translation>Pesi e attivazioni di ogni layer rispetto alla loro precisione</translation>
    </message>
    <message>
        <source>Calibration and precision</source>
        <translation>Calibrazione e precisione</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>Calibrazione</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Eventi</translation>
    </message>
    <message>
        <source>Agreement target</source>
        <translation>Accordo richiesto</translation>
    </message>
    <message>
        <source>Convert &amp;&amp; C-simulate</source>
        <translation>Converti &amp;&amp; simula in C</translation>
    </message>
    <message>
        <source>Convert with hls4ml, compile the bit-accurate C simulation with g++, compare with Keras</source>
        <translation>Converti con hls4ml, compila con g++ la simulazione C esatta al bit, confronta con Keras</translation>
    </message>
    <message>
        <source>Synthesize with vendor tool</source>
        <translation>Sintetizza con il tool AMD</translation>
    </message>
    <message>
        <source>Run Vitis / Vivado HLS C synthesis (minutes to hours)</source>
        <translation>Esegui la sintesi C di Vitis / Vivado HLS (da minuti a ore)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Cancel this view&apos;s running job (kills g++ or the vendor tool)</source>
        <translation>Annulla il job in esecuzione in questa vista (termina g++ o il tool AMD)</translation>
    </message>
    <message>
        <source>Synthesis</source>
        <translation>Sintesi</translation>
    </message>
    <message>
        <source>Export config (.yml)…</source>
        <translation>Esporta config (.yml)…</translation>
    </message>
    <message>
        <source>Load config (.yml)…</source>
        <translation>Carica config (.yml)…</translation>
    </message>
    <message>
        <source>Export project (.zip)…</source>
        <translation>Esporta progetto (.zip)…</translation>
    </message>
    <message>
        <source>Import reports…</source>
        <translation>Importa report…</translation>
    </message>
    <message>
        <source>Read vendor synthesis reports (csynth.xml, or a project folder / zip) made elsewhere</source>
        <translation>Legge report di sintesi del tool AMD (csynth.xml, o una cartella / zip di progetto) prodotti altrove</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>File</translation>
    </message>
    <message>
        <source>The validation split of {0}</source>
        <translation>Il campione di validazione di {0}</translation>
    </message>
    <message>
        <source>This variant has no dataset</source>
        <translation>Questa variante non ha un dataset</translation>
    </message>
    <message>
        <source>Not applied: {0}</source>
        <translation>Non applicato: {0}</translation>
    </message>
    <message>
        <source>{0} set to {1}</source>
        <translation>{0} impostato a {1}</translation>
    </message>
    <message>
        <source>(and {0}, which hls4ml adds after it)</source>
        <translation>(e {0}, che hls4ml aggiunge dopo di esso)</translation>
    </message>
    <message>
        <source>{0} {1}: not applied — {2}</source>
        <translation>{0} {1}: non applicato — {2}</translation>
    </message>
</context>
<context>
    <name>HlsJobs</name>
    <message>
        <source>{0} validation split, up to {1} events</source>
        <translation>campione di validazione di {0}, fino a {1} eventi</translation>
    </message>
    <message>
        <source>{0} Gaussian N(0, 1) input events</source>
        <translation>{0} eventi di input gaussiani N(0, 1)</translation>
    </message>
    <message>
        <source>{0} uniform U(−1, 1) input events</source>
        <translation>{0} eventi di input uniformi U(−1, 1)</translation>
    </message>
    <message>
        <source>This variant has no dataset: choose Gaussian or uniform calibration inputs.</source>
        <translation>Questa variante non ha un dataset: scegli input di calibrazione gaussiani o uniformi.</translation>
    </message>
    <message>
        <source>loading {0}</source>
        <translation>caricamento di {0}</translation>
    </message>
    <message>
        <source>{0} validation split, {1} events</source>
        <translation>campione di validazione di {0}, {1} eventi</translation>
    </message>
    <message>
        <source>Unknown calibration &apos;{0}&apos; (dataset, gauss or uniform)</source>
        <translation>Calibrazione &apos;{0}&apos; sconosciuta (dataset, gauss o uniform)</translation>
    </message>
    <message>
        <source>running the model on the calibration events</source>
        <translation>esecuzione del modello sugli eventi di calibrazione</translation>
    </message>
    <message>
        <source>profiled {0} layers in {1} s</source>
        <translation>{0} layer profilati in {1} s</translation>
    </message>
    <message>
        <source>cache hit: {0}</source>
        <translation>già in cache: {0}</translation>
    </message>
    <message>
        <source>compiled in {0} s: {1}</source>
        <translation>compilato in {0} s: {1}</translation>
    </message>
    <message>
        <source>zipping the project</source>
        <translation>compressione del progetto in .zip</translation>
    </message>
    <message>
        <source>project written to {0}</source>
        <translation>progetto scritto in {0}</translation>
    </message>
    <message>
        <source>exported</source>
        <translation>esportato</translation>
    </message>
</context>
<context>
    <name>HlsView</name>
    <message>
        <source>(start {0})</source>
        <translation>(partenza {0})</translation>
    </message>
    <message>
        <source>Auto precision ({0}), target {1} on {2}</source>
        <translation>Precisione automatica ({0}), obiettivo {1} su {2}</translation>
    </message>
    <message>
        <source>emulated agreement {0}</source>
        <translation>accordo emulato {0}</translation>
    </message>
    <message>
        <source>C-simulation agreement {0} ({1} run(s))</source>
        <translation>accordo in simulazione C {0} ({1} esecuzioni)</translation>
    </message>
    <message>
        <source>{0} bits over all precisions; weights and biases {1} bits</source>
        <translation>{0} bit su tutte le precisioni; pesi e bias {1} bit</translation>
    </message>
    <message>
        <source>note: {0}</source>
        <translation>nota: {0}</translation>
    </message>
    <message>
        <source>dataset (validation split)</source>
        <translation>dataset (campione di validazione)</translation>
    </message>
    <message>
        <source>Gaussian inputs N(0, 1)</source>
        <translation>input gaussiani N(0, 1)</translation>
    </message>
    <message>
        <source>uniform inputs U(−1, 1)</source>
        <translation>input uniformi U(−1, 1)</translation>
    </message>
    <message>
        <source>“Auto precision” explains here what it chose for every layer, and why.</source>
        <translation>Qui “Precisione automatica” spiega cosa ha scelto per ogni layer, e perché.</translation>
    </message>
    <message>
        <source>Why these precisions</source>
        <translation>Perché queste precisioni</translation>
    </message>
    <message>
        <source>auto precision</source>
        <translation>precisione automatica</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>Profiling</source>
        <translation>Profilazione</translation>
    </message>
    <message>
        <source>C-simulation</source>
        <translation>Simulazione C</translation>
    </message>
    <message>
        <source>Resources</source>
        <translation>Risorse</translation>
    </message>
    <message>
        <source>There is no variant &apos;{0}&apos; in the open workspace.</source>
        <translation>Nel workspace aperto non c&apos;è nessuna variante &apos;{0}&apos;.</translation>
    </message>
    <message>
        <source>{0} has no C simulation yet: run “{1}”.</source>
        <translation>{0} non ha ancora una simulazione C: esegui “{1}”.</translation>
    </message>
    <message>
        <source>Run “Profile” to see the values of every layer of {0} against its precision.</source>
        <translation>Esegui “Profila” per vedere i valori di ogni layer di {0} rispetto alla sua precisione.</translation>
    </message>
    <message>
        <source>Open a workspace and select a variant.</source>
        <translation>Apri un workspace e seleziona una variante.</translation>
    </message>
    <message>
        <source>{0} hls4ml layers · dataset {1}</source>
        <translation>{0} layer hls4ml · dataset {1}</translation>
    </message>
    <message>
        <source>{0} hls4ml layers · no dataset</source>
        <translation>{0} layer hls4ml · nessun dataset</translation>
    </message>
    <message>
        <source>Configuration of {0}: {1} layers, {2} by default. Double-click a precision to edit it.</source>
        <translation>Configurazione di {0}: {1} layer, {2} di default. Fai doppio clic su una precisione per modificarla.</translation>
    </message>
    <message>
        <source>The saved configuration {0} could not be read: showing the default one (the next C simulation saves it again).</source>
        <translation>La configurazione salvata {0} non si può leggere: viene mostrata quella predefinita (la prossima simulazione C la salva di nuovo).</translation>
    </message>
    <message>
        <source>robust pT resolution {0} in C simulation</source>
        <translation>risoluzione in pT robusta {0} in simulazione C</translation>
    </message>
    <message>
        <source>({0} in Keras)</source>
        <translation>({0} in Keras)</translation>
    </message>
    <message>
        <source>output rms error {0}</source>
        <translation>errore rms sull&apos;output {0}</translation>
    </message>
    <message>
        <source>Saved configuration, from this variant&apos;s last C simulation: {0}.</source>
        <translation>Configurazione salvata, dall&apos;ultima simulazione C di questa variante: {0}.</translation>
    </message>
    <message>
        <source>Saved configuration, from this variant&apos;s last C simulation.</source>
        <translation>Configurazione salvata, dall&apos;ultima simulazione C di questa variante.</translation>
    </message>
    <message>
        <source>The C-simulation tab shows it layer by layer.</source>
        <translation>La scheda Simulazione C lo mostra layer per layer.</translation>
    </message>
    <message>
        <source>{0} ParallelizationFactor {1}</source>
        <translation>{0} ParallelizationFactor {1}</translation>
    </message>
    <message>
        <source>One event per bunch crossing: {0}, {1}, reuse {2}{3}; II {4} ns against {5} ns, LUT {6} against {7} with the default settings (estimates).</source>
        <translation>Un evento per bunch crossing: {0}, {1}, reuse {2}{3}; II {4} ns contro {5} ns, LUT {6} contro {7} con le impostazioni predefinite (stime).</translation>
    </message>
</context>
<context>
    <name>Job</name>
    <message>
        <source>cancelled before it started</source>
        <translation>annullato prima di iniziare</translation>
    </message>
    <message>
        <source>FAILED: {0}</source>
        <translation>FALLITO: {0}</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annullato</translation>
    </message>
</context>
<context>
    <name>JobDock</name>
    <message>
        <source>queued</source>
        <extracomment>Status key -&gt; its word in the dock (shown through ``status_text``; compare by key).</extracomment>
        <translation>in coda</translation>
    </message>
    <message>
        <source>running</source>
        <translation>in esecuzione</translation>
    </message>
    <message>
        <source>done</source>
        <translation>completato</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fallito</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annullato</translation>
    </message>
    <message>
        <source>cancelled at {0}</source>
        <translation>annullato al {0}</translation>
    </message>
    <message>
        <source>failed at {0}</source>
        <translation>fallito al {0}</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Job</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Avanzamento</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>Elapsed</source>
        <translation>Trascorso</translation>
    </message>
    <message>
        <source>ETA</source>
        <translation>Residuo</translation>
    </message>
    <message>
        <source>Select a job to see its log.</source>
        <translation>Seleziona un job per vederne il log.</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>Copia dettagli</translation>
    </message>
    <message>
        <source>Copy the error message, the traceback and the log to the clipboard</source>
        <translation>Copia negli appunti il messaggio di errore, il traceback e il log</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>{0} is {1}; no log output yet.</source>
        <translation>{0} è {1}; ancora nessun output nel log.</translation>
    </message>
    <message>
        <source>{0} is {1}; it wrote no log output.</source>
        <translation>{0} è {1}; non ha scritto nulla nel log.</translation>
    </message>
    <message>
        <source>{0} failed:</source>
        <translation>{0} fallito:</translation>
    </message>
    <message>
        <source>Job: {0}</source>
        <translation>Job: {0}</translation>
    </message>
    <message>
        <source>Status: {0}</source>
        <translation>Stato: {0}</translation>
    </message>
    <message>
        <source>Error: {0}</source>
        <translation>Errore: {0}</translation>
    </message>
    <message>
        <source>Log:</source>
        <translation>Log:</translation>
    </message>
</context>
<context>
    <name>LayerTable</name>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>Layer name (as in the Keras model)</source>
        <translation>Nome del layer (come nel modello Keras)</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>hls4ml layer class</source>
        <translation>Classe del layer in hls4ml</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Pesi</translation>
    </message>
    <message>
        <source>Precision of the weights, e.g. ap_fixed&lt;8,3&gt; (W bits, I integer bits with sign)</source>
        <translation>Precisione dei pesi, es. ap_fixed&lt;8,3&gt; (W bit, di cui I bit interi con segno)</translation>
    </message>
    <message>
        <source>Bias</source>
        <translation>Bias</translation>
    </message>
    <message>
        <source>Precision of the biases</source>
        <translation>Precisione dei bias</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Risultato</translation>
    </message>
    <message>
        <source>Precision of the layer&apos;s output (what the next layer reads)</source>
        <translation>Precisione dell&apos;output del layer (ciò che legge il layer successivo)</translation>
    </message>
    <message>
        <source>Accumulator</source>
        <translation>Accumulatore</translation>
    </message>
    <message>
        <source>Precision of the multiply-accumulate sums inside the layer</source>
        <translation>Precisione delle somme multiply-accumulate all&apos;interno del layer</translation>
    </message>
    <message>
        <source>Reuse</source>
        <translation>Reuse</translation>
    </message>
    <message>
        <source>Reuse factor: each multiplier serves this many products (fewer DSPs, longer II)</source>
        <translation>Reuse factor: ogni moltiplicatore calcola questo numero di prodotti (meno DSP, II più lungo)</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>Strategia</translation>
    </message>
    <message>
        <source>Latency: fully unrolled, registers; Resource: weights in BRAM, honours reuse</source>
        <translation>Latency: completamente unrolled, registri; Resource: pesi in BRAM, rispetta il reuse</translation>
    </message>
    <message>
        <source>weight precision</source>
        <extracomment>How a field is named in tooltips (&quot;fc1 has no bias precision&quot;).</extracomment>
        <translation>precisione dei pesi</translation>
    </message>
    <message>
        <source>bias precision</source>
        <translation>precisione dei bias</translation>
    </message>
    <message>
        <source>result precision</source>
        <translation>precisione del risultato</translation>
    </message>
    <message>
        <source>accumulator precision</source>
        <translation>precisione dell&apos;accumulatore</translation>
    </message>
    <message>
        <source>reuse factor</source>
        <translation>reuse factor</translation>
    </message>
    <message>
        <source>strategy</source>
        <translation>strategia</translation>
    </message>
    <message>
        <source>empty precision</source>
        <translation>precisione vuota</translation>
    </message>
    <message>
        <source>{0}: a layer hls4ml adds (not in the Keras model)</source>
        <translation>{0}: un layer aggiunto da hls4ml (non presente nel modello Keras)</translation>
    </message>
    <message>
        <source>{0} has no {1}</source>
        <translation>{0} non ha {1}</translation>
    </message>
    <message>
        <source>{0}: {1} {2} — double-click to edit</source>
        <translation>{0}: {1} {2} — doppio clic per modificare</translation>
    </message>
    <message>
        <source>reuse factor must be a whole number, got &apos;{0}&apos;</source>
        <translation>il reuse factor deve essere un numero intero, non &apos;{0}&apos;</translation>
    </message>
    <message>
        <source>reuse factor must be between 1 and {0}</source>
        <translation>il reuse factor deve essere tra 1 e {0}</translation>
    </message>
    <message>
        <source>strategy must be one of {0}</source>
        <translation>la strategia deve essere una tra {0}</translation>
    </message>
    <message>
        <source>Not applied: {0}</source>
        <translation>Non applicato: {0}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Graph</source>
        <extracomment>The views in their own modules, in tab order: (key in ``MainWindow.panels``, tab title, module, class). Each is built with ``(state, jobs)``.</extracomment>
        <translation>Grafo</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Pesi</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Compress</source>
        <translation>Compressione</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Confronto</translation>
    </message>
    <message>
        <source>Physics</source>
        <translation>Fisica</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>Sweep</translation>
    </message>
    <message>
        <source>Synthesis</source>
        <translation>Sintesi</translation>
    </message>
    <message>
        <source>Deploy</source>
        <translation>Deploy</translation>
    </message>
    <message>
        <source>Keras models (*.h5 *.hdf5 *.keras *.json saved_model.pb);;All files (*)</source>
        <translation>Modelli Keras (*.h5 *.hdf5 *.keras *.json saved_model.pb);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Inizio</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modello</translation>
    </message>
    <message>
        <source>This view could not be created: {0}</source>
        <translation>Non è stato possibile creare questa vista: {0}</translation>
    </message>
    <message>
        <source>Variants</source>
        <translation>Varianti</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Job</translation>
    </message>
    <message>
        <source>Walkthrough</source>
        <translation>Esercitazione</translation>
    </message>
    <message>
        <source>TensorFlow: not loaded</source>
        <translation>TensorFlow: non caricato</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>Open &amp;model file…</source>
        <translation>Apri file di &amp;modello…</translation>
    </message>
    <message>
        <source>Open &amp;workspace…</source>
        <translation>Apri &amp;workspace…</translation>
    </message>
    <message>
        <source>&amp;New workspace…</source>
        <translation>&amp;Nuovo workspace…</translation>
    </message>
    <message>
        <source>&amp;Recent workspaces</source>
        <translation>Workspace &amp;recenti</translation>
    </message>
    <message>
        <source>&amp;Export variant…</source>
        <translation>&amp;Esporta variante…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>Es&amp;ci</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Modifica</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Preferenze…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Visualizza</translation>
    </message>
    <message>
        <source>P&amp;resentation mode</source>
        <translation>Modalità p&amp;resentazione</translation>
    </message>
    <message>
        <source>&amp;Walkthroughs</source>
        <translation>&amp;Esercitazioni</translation>
    </message>
    <message>
        <source>Hands-on 1 (digits CNN)</source>
        <translation>Hands-on 1 (CNN sulle cifre)</translation>
    </message>
    <message>
        <source>Hands-on 2 (muon trigger)</source>
        <translation>Hands-on 2 (trigger di muoni)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Aiuto</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>&amp;Guida utente</translation>
    </message>
    <message>
        <source>&amp;About TrigLab</source>
        <translation>&amp;Informazioni su TrigLab</translation>
    </message>
    <message>
        <source>TensorFlow: loading…</source>
        <translation>TensorFlow: caricamento…</translation>
    </message>
    <message>
        <source>Load TensorFlow</source>
        <translation>Caricamento di TensorFlow</translation>
    </message>
    <message>
        <source>TensorFlow: failed to load</source>
        <translation>TensorFlow: caricamento fallito</translation>
    </message>
    <message>
        <source>TensorFlow could not be loaded</source>
        <translation>Non è stato possibile caricare TensorFlow</translation>
    </message>
    <message>
        <source>{0}

Models cannot be opened until this is fixed; see the job&apos;s details in the Jobs dock.</source>
        <translation>{0}

Non si possono aprire modelli finché il problema non è risolto; vedi i dettagli del job nel pannello Job.</translation>
    </message>
    <message>
        <source>Prepare hands-on 2 (muon trigger)</source>
        <translation>Preparazione hands-on 2 (trigger di muoni)</translation>
    </message>
    <message>
        <source>Prepare hands-on 1 demo (digits CNN)</source>
        <translation>Preparazione demo hands-on 1 (CNN sulle cifre)</translation>
    </message>
    <message>
        <source>Cannot show the C simulation</source>
        <translation>Impossibile mostrare la simulazione C</translation>
    </message>
    <message>
        <source>Cannot open workspace</source>
        <translation>Impossibile aprire il workspace</translation>
    </message>
    <message>
        <source>Cannot open a variant of this workspace</source>
        <translation>Impossibile aprire una variante di questo workspace</translation>
    </message>
    <message>
        <source>Open {0}</source>
        <translation>Apertura di {0}</translation>
    </message>
    <message>
        <source>This model file contains code</source>
        <translation>Questo file di modello contiene codice</translation>
    </message>
    <message>
        <source>Trusting lets the code in this file run. TrigLab remembers the decision for this exact file (by its SHA-256 digest, in your TrigLab folder, not in the workspace); a changed file asks again.</source>
        <translation>Fidarsi permette al codice di questo file di essere eseguito. TrigLab ricorda la decisione per questo file esatto (tramite il suo digest SHA-256, nella tua cartella TrigLab, non nel workspace); un file modificato lo chiederà di nuovo.</translation>
    </message>
    <message>
        <source>Trust this file and open it</source>
        <translation>Fidati di questo file e aprilo</translation>
    </message>
    <message>
        <source>Cannot open model</source>
        <translation>Impossibile aprire il modello</translation>
    </message>
    <message>
        <source>Open model file</source>
        <translation>Apri file di modello</translation>
    </message>
    <message>
        <source>Open workspace folder</source>
        <translation>Apri cartella del workspace</translation>
    </message>
    <message>
        <source>Choose an empty folder for the new workspace</source>
        <translation>Scegli una cartella vuota per il nuovo workspace</translation>
    </message>
    <message>
        <source>Cannot create workspace</source>
        <translation>Impossibile creare il workspace</translation>
    </message>
    <message>
        <source>Job &apos;{0}&apos; failed: {1}</source>
        <translation>Job &apos;{0}&apos; fallito: {1}</translation>
    </message>
    <message>
        <source>Variant &apos;{0}&apos;: {1} parameters, {2} MACs</source>
        <translation>Variante &apos;{0}&apos;: {1} parametri, {2} MAC</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(nessuno)</translation>
    </message>
</context>
<context>
    <name>Metrics</name>
    <message>
        <source>Validation accuracy (%)</source>
        <extracomment>The choosable axes, in menu order (task metrics first). Labels are marked for translation: the app shows ``QCoreApplication.translate(&quot;Metrics&quot;, axis.label)``.</extracomment>
        <translation>Accuracy di validazione (%)</translation>
    </message>
    <message>
        <source>Validation MAE (target units)</source>
        <translation>MAE di validazione (unità del target)</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parametri</translation>
    </message>
    <message>
        <source>Non-zero parameters</source>
        <translation>Parametri non nulli</translation>
    </message>
    <message>
        <source>MACs per inference</source>
        <translation>MAC per inferenza</translation>
    </message>
    <message>
        <source>gzip size (kB)</source>
        <translation>Dimensione gzip (kB)</translation>
    </message>
    <message>
        <source>Quantized size (kB)</source>
        <translation>Dimensione quantizzata (kB)</translation>
    </message>
    <message>
        <source>BOPs per inference (10⁶)</source>
        <translation>BOP per inferenza (10⁶)</translation>
    </message>
    <message>
        <source>Energy per inference, estimate (nJ)</source>
        <translation>Energia per inferenza, stima (nJ)</translation>
    </message>
    <message>
        <source>Latency, estimate (ns)</source>
        <translation>Latenza, stima (ns)</translation>
    </message>
    <message>
        <source>Latency, vendor report (ns)</source>
        <translation>Latenza, report del tool AMD (ns)</translation>
    </message>
    <message>
        <source>DSP, estimate</source>
        <translation>DSP, stima</translation>
    </message>
    <message>
        <source>LUT, estimate</source>
        <translation>LUT, stima</translation>
    </message>
    <message>
        <source>C-sim agreement with Keras (%)</source>
        <translation>Accordo C-sim con Keras (%)</translation>
    </message>
    <message>
        <source>pT resolution, robust width (%)</source>
        <translation>Risoluzione in pT, larghezza robusta (%)</translation>
    </message>
    <message>
        <source>pT at 50 % efficiency, 10 GeV threshold (GeV)</source>
        <translation>pT al 50 % di efficienza, soglia 10 GeV (GeV)</translation>
    </message>
    <message>
        <source>pT at 50 % efficiency, 20 GeV threshold (GeV)</source>
        <translation>pT al 50 % di efficienza, soglia 20 GeV (GeV)</translation>
    </message>
    <message>
        <source>pT at 90 % of the plateau, 10 GeV threshold (GeV)</source>
        <translation>pT al 90 % del plateau, soglia di 10 GeV (GeV)</translation>
    </message>
    <message>
        <source>pT at 90 % of the plateau, 20 GeV threshold (GeV)</source>
        <translation>pT al 90 % del plateau, soglia di 20 GeV (GeV)</translation>
    </message>
    <message>
        <source>Rate vs classical trigger at equal efficiency, 10 GeV</source>
        <translation>Rate rispetto al trigger classico a pari efficienza, 10 GeV</translation>
    </message>
    <message>
        <source>Rate vs classical trigger at equal efficiency, 20 GeV</source>
        <translation>Rate rispetto al trigger classico a pari efficienza, 20 GeV</translation>
    </message>
</context>
<context>
    <name>ModelView</name>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Output shape</source>
        <translation>Forma output</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parametri</translation>
    </message>
    <message>
        <source>Non-zero</source>
        <translation>Non nulli</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>Bits</source>
        <translation>Bit</translation>
    </message>
    <message>
        <source>Quantizer</source>
        <translation>Quantizzatore</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Nessun modello caricato</translation>
    </message>
    <message>
        <source>weights rounded by the &apos;{0}&apos; operation; activations stay float in Keras</source>
        <translation>pesi arrotondati dall&apos;operazione &apos;{0}&apos;; le attivazioni restano float in Keras</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Totale</translation>
    </message>
    <message>
        <source>{0} parameters ({1} trainable), {2} non-zero (sparsity {3}), {4} MACs per inference.</source>
        <translation>{0} parametri ({1} addestrabili), {2} non nulli (sparsità {3}), {4} MAC per inferenza.</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Dimensione</translation>
    </message>
    <message>
        <source>{0} dense fp32, {1} sparse, {2} gzip.</source>
        <translation>{0} fp32 denso, {1} sparso, {2} gzip.</translation>
    </message>
</context>
<context>
    <name>NetronView</name>
    <message>
        <source>Graph</source>
        <translation>Grafo</translation>
    </message>
    <message>
        <source>Open in browser</source>
        <translation>Apri nel browser</translation>
    </message>
    <message>
        <source>Open this graph in your web browser (it is served on 127.0.0.1 only)</source>
        <translation>Apri questo grafo nel tuo browser web (è servito solo su 127.0.0.1)</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Ricarica</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Nessun modello caricato</translation>
    </message>
    <message>
        <source>The embedded browser (QtWebEngine) is not available on this machine.
The graph is served on this computer only; open it in your web browser:</source>
        <translation>Il browser integrato (QtWebEngine) non è disponibile su questa macchina.
Il grafo è servito solo su questo computer; aprilo nel tuo browser web:</translation>
    </message>
    <message>
        <source>Open graph in system browser</source>
        <translation>Apri il grafo nel browser di sistema</translation>
    </message>
    <message>
        <source>Cannot show the graph: {0}</source>
        <translation>Impossibile mostrare il grafo: {0}</translation>
    </message>
    <message>
        <source>served at {0} (this computer only)</source>
        <translation>servito su {0} (solo questo computer)</translation>
    </message>
    <message>
        <source>The embedded browser (QtWebEngine) is not available on this machine.
The graph of {0} is served on this computer only, at {1}</source>
        <translation>Il browser integrato (QtWebEngine) non è disponibile su questa macchina.
Il grafo di {0} è servito solo su questo computer, all&apos;indirizzo {1}</translation>
    </message>
    <message>
        <source>no web browser found; address copied: {0}</source>
        <translation>nessun browser web trovato; indirizzo copiato: {0}</translation>
    </message>
    <message>
        <source>No web browser found</source>
        <translation>Nessun browser web trovato</translation>
    </message>
    <message>
        <source>TrigLab could not open a web browser on this computer. The graph&apos;s address has been copied to the clipboard; paste it into a browser running on this computer:

{0}</source>
        <translation>TrigLab non è riuscito ad aprire un browser web su questo computer. L&apos;indirizzo del grafo è stato copiato negli appunti; incollalo in un browser in esecuzione su questo computer:

{0}</translation>
    </message>
    <message>
        <source>Graph closed</source>
        <translation>Grafo chiuso</translation>
    </message>
    <message>
        <source>Graph — {0}</source>
        <translation>Grafo — {0}</translation>
    </message>
    <message>
        <source>The graph of {0} loads when this tab is shown.</source>
        <translation>Il grafo di {0} si carica quando viene mostrata questa scheda.</translation>
    </message>
    <message>
        <source>served at {0} · {1} outside request(s) blocked</source>
        <translation>servito su {0} · {1} richieste esterne bloccate</translation>
    </message>
</context>
<context>
    <name>PhysicsView</name>
    <message>
        <source>Confusion matrix</source>
        <extracomment>Legend columns: (most, fewest) — fewer on a narrow view (see :func:`fit_legend`). Baselines&apos; colours (near-black, then grey): references, not competitors. Per threshold: (symbol) of a baseline&apos;s points; its fitted curve is dashed. The strip-fit resolution limit&apos;s line in the resolution plot.</extracomment>
        <translation>Matrice di confusione</translation>
    </message>
    <message>
        <source>predicted class</source>
        <translation>classe predetta</translation>
    </message>
    <message>
        <source>true class</source>
        <translation>classe vera</translation>
    </message>
    <message>
        <source>Trigger: predicted pT ≥ threshold (no hit coincidence: the data set does not say which layer is which).</source>
        <translation>Trigger: pT predetto ≥ soglia (nessuna coincidenza di hit: il dataset non dice quale layer è quale).</translation>
    </message>
    <message>
        <source>at least {0} layers of {1} hit</source>
        <translation>almeno {0} layer di {1} colpiti</translation>
    </message>
    <message>
        <source>Trigger: hit coincidence ({0}) and predicted pT ≥ threshold.</source>
        <translation>Trigger: coincidenza di hit ({0}) e pT predetto ≥ soglia.</translation>
    </message>
    <message>
        <source>The coincidence keeps {0} of the muons and {1} of the noise-only events.</source>
        <translation>La coincidenza conserva {0} dei muoni e {1} degli eventi di solo rumore.</translation>
    </message>
    <message>
        <source>The coincidence keeps {0} of the muons.</source>
        <translation>La coincidenza conserva {0} dei muoni.</translation>
    </message>
    <message>
        <source>A fake rate&apos;s tooltip gives the rate if the network decided alone.</source>
        <translation>Il suggerimento di un fake rate dà il rate se decidesse la sola rete.</translation>
    </message>
    <message>
        <source>Thresholds must be numbers in GeV separated by commas, not &apos;{0}&apos;</source>
        <translation>Le soglie devono essere numeri in GeV separati da virgole, non &apos;{0}&apos;</translation>
    </message>
    <message>
        <source>Give at least one positive trigger threshold in GeV (e.g. 10, 20)</source>
        <translation>Indica almeno una soglia di trigger positiva in GeV (es. 10, 20)</translation>
    </message>
    <message>
        <source>Variants to compare (those with a dataset)</source>
        <translation>Varianti da confrontare (quelle con un dataset)</translation>
    </message>
    <message>
        <source>Trigger thresholds on the predicted pT, in GeV, separated by commas</source>
        <translation>Soglie di trigger sul pT predetto, in GeV, separate da virgole</translation>
    </message>
    <message>
        <source>Thresholds (GeV)</source>
        <translation>Soglie (GeV)</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>Calcola</translation>
    </message>
    <message>
        <source>Run the checked variants on the validation split</source>
        <translation>Esegui le varianti selezionate sul campione di validazione</translation>
    </message>
    <message>
        <source>Fraction of the muons of exactly pT = threshold (among those passing the 3-of-4 majority) that each threshold&apos;s coincidence window keeps: the windows are tuned at the threshold</source>
        <translation>Frazione dei muoni con pT esattamente uguale alla soglia (tra quelli che passano la maggioranza 3 su 4) che la finestra di coincidenza di ogni soglia conserva: le finestre sono tarate alla soglia</translation>
    </message>
    <message>
        <source>Plateau</source>
        <translation>Plateau</translation>
    </message>
    <message>
        <source>Add classical trigger</source>
        <translation>Aggiungi trigger classico</translation>
    </message>
    <message>
        <source>Tune the classical coincidence-window trigger (roads in RPC1 and RPC3 around the pivot hit in RPC2) at the thresholds above and add it as a variant with no network</source>
        <translation>Tara il trigger classico a finestre di coincidenza (road in RPC1 e RPC3 attorno al hit pivot in RPC2) alle soglie sopra e aggiungilo come variante senza rete</translation>
    </message>
    <message>
        <source>Check variants and press Compute.</source>
        <translation>Seleziona le varianti e premi Calcola.</translation>
    </message>
    <message>
        <source>Variants</source>
        <translation>Varianti</translation>
    </message>
    <message>
        <source>Trigger efficiency</source>
        <translation>Efficienza di trigger</translation>
    </message>
    <message>
        <source>true pT (GeV)</source>
        <translation>pT vero (GeV)</translation>
    </message>
    <message>
        <source>efficiency</source>
        <translation>efficienza</translation>
    </message>
    <message>
        <source>pT resolution (16–84 % half-width)</source>
        <translation>Risoluzione in pT (semiampiezza 16–84 %)</translation>
    </message>
    <message>
        <source>Relative pT error</source>
        <translation>Errore relativo su pT</translation>
    </message>
    <message>
        <source>fraction of muons</source>
        <translation>frazione di muoni</translation>
    </message>
    <message>
        <source>ROC</source>
        <translation>ROC</translation>
    </message>
    <message>
        <source>false positive rate</source>
        <translation>tasso di falsi positivi</translation>
    </message>
    <message>
        <source>true positive rate</source>
        <translation>tasso di veri positivi</translation>
    </message>
    <message>
        <source>strip-fit limit</source>
        <translation>limite del fit delle strip</translation>
    </message>
    <message>
        <source>Run the checked variants on the validation split (ROC curve and confusion matrix)</source>
        <translation>Esegui le varianti selezionate sul campione di validazione (curva ROC e matrice di confusione)</translation>
    </message>
    <message>
        <source>Run the checked variants on the validation split and noise-only events</source>
        <translation>Esegui le varianti selezionate sul campione di validazione e sugli eventi di solo rumore</translation>
    </message>
    <message>
        <source>{0} · dataset {1}</source>
        <translation>{0} · dataset {1}</translation>
    </message>
    <message>
        <source>classical coincidence-window trigger — no network</source>
        <translation>trigger classico a finestre di coincidenza — nessuna rete</translation>
    </message>
    <message>
        <source>Open a workspace first.</source>
        <translation>Apri prima un workspace.</translation>
    </message>
    <message>
        <source>Classical trigger (roads), plateau {0}</source>
        <translation>Trigger classico (road), plateau {0}</translation>
    </message>
    <message>
        <source>Tuning the coincidence windows…</source>
        <translation>Taratura delle finestre di coincidenza…</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Annullato.</translation>
    </message>
    <message>
        <source>Running: {0}</source>
        <translation>In corso: {0}</translation>
    </message>
    <message>
        <source>Open a workspace and check at least one variant.</source>
        <translation>Apri un workspace e seleziona almeno una variante.</translation>
    </message>
    <message>
        <source>No dataset recorded for: {0}</source>
        <translation>Nessun dataset registrato per: {0}</translation>
    </message>
    <message>
        <source>Computing {0} variant(s)…</source>
        <translation>Calcolo di {0} variante/i…</translation>
    </message>
    <message>
        <source>Physics metrics: {0}</source>
        <translation>Metriche di fisica: {0}</translation>
    </message>
    <message>
        <source>Failed: {0}</source>
        <translation>Fallito: {0}</translation>
    </message>
    <message>
        <source>Showing {0} variant(s).</source>
        <translation>Varianti mostrate: {0}.</translation>
    </message>
    <message>
        <source>Confusion matrix — {0}</source>
        <translation>Matrice di confusione — {0}</translation>
    </message>
    <message>
        <source> (with runs emulated on CPU)</source>
        <translation> (con esecuzioni emulate su CPU)</translation>
    </message>
    <message>
        <source>classical trigger ({0}), pT &gt; {1} GeV</source>
        <translation>trigger classico ({0}), pT &gt; {1} GeV</translation>
    </message>
    <message>
        <source>strip fit ({0}, no network), pT &gt; {1} GeV</source>
        <translation>fit delle strip ({0}, nessuna rete), pT &gt; {1} GeV</translation>
    </message>
    <message>
        <source>{0}, pT &gt; {1} GeV</source>
        <translation>{0}, pT &gt; {1} GeV</translation>
    </message>
    <message>
        <source>{0} (robust σ {1})</source>
        <translation>{0} (σ robusta {1})</translation>
    </message>
    <message>
        <source>{0} (AUC {1})</source>
        <translation>{0} (AUC {1})</translation>
    </message>
    <message>
        <source>Variant</source>
        <extracomment>(row key, header) of the regression columns; headers shown through translate().</extracomment>
        <translation>Variante</translation>
    </message>
    <message>
        <source>Threshold (GeV)</source>
        <translation>Soglia (GeV)</translation>
    </message>
    <message>
        <source>Plateau eff.</source>
        <translation>Eff. di plateau</translation>
    </message>
    <message>
        <source>pT50 (GeV)</source>
        <translation>pT50 (GeV)</translation>
    </message>
    <message>
        <source>pT90 (GeV)</source>
        <translation>pT90 (GeV)</translation>
    </message>
    <message>
        <source>Rate vs classical</source>
        <translation>Rate vs classico</translation>
    </message>
    <message>
        <source>Fake rate (noise)</source>
        <translation>Fake rate (rumore)</translation>
    </message>
    <message>
        <source>σ(pT)/pT robust</source>
        <translation>σ(pT)/pT robusta</translation>
    </message>
    <message>
        <source>σ(pT)/pT std</source>
        <translation>σ(pT)/pT std</translation>
    </message>
    <message>
        <source>bias</source>
        <translation>bias</translation>
    </message>
    <message>
        <source>Efficiency on the plateau of the fitted turn-on (error function), ± its error</source>
        <translation>Efficienza sul plateau della turn-on fittata (funzione errore), ± il suo errore</translation>
    </message>
    <message>
        <source>True pT at half the plateau (fitted when the fit converged)</source>
        <translation>pT vero a metà del plateau (dal fit quando converge)</translation>
    </message>
    <message>
        <source>True pT at 90 % of the plateau: pT50 + 1.28 σ of the fit, errors propagated</source>
        <translation>pT vero al 90 % del plateau: pT50 + 1,28 σ del fit, errori propagati</translation>
    </message>
    <message>
        <source>Trigger rate on a falling muon spectrum relative to the classical trigger (roads), with the network&apos;s cut moved until its efficiency above threshold equals the classical trigger&apos;s: below 1 the network cuts the rate</source>
        <translation>Rate di trigger su uno spettro di muoni decrescente rispetto al trigger classico (road), con il taglio della rete spostato finché la sua efficienza sopra soglia eguaglia quella del trigger classico: sotto 1 la rete riduce il rate</translation>
    </message>
    <message>
        <source>Fraction of noise-only events that fire, with its Clopper–Pearson interval</source>
        <translation>Frazione di eventi di solo rumore che fanno scattare il trigger, con il suo intervallo di Clopper–Pearson</translation>
    </message>
    <message>
        <source>classical coincidence-window trigger (roads): no network</source>
        <translation>trigger classico a finestre di coincidenza (road): nessuna rete</translation>
    </message>
    <message>
        <source>if the network decided alone: {0}</source>
        <translation>se decidesse la sola rete: {0}</translation>
    </message>
    <message>
        <source>the classical trigger is the reference</source>
        <translation>il trigger classico è il riferimento</translation>
    </message>
    <message>
        <source>AUC</source>
        <translation>AUC</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>accuracy</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Preferenze</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Come il sistema</translation>
    </message>
    <message>
        <source>The language changes at the next start.</source>
        <translation>La lingua cambia al prossimo avvio.</translation>
    </message>
    <message>
        <source>Text size, in % of the system&apos;s: 125–150 % for a projector</source>
        <translation>Dimensione del testo, in % di quella di sistema: 125–150 % per un proiettore</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Chiaro</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Scuro</translation>
    </message>
    <message>
        <source>Windows and plots</source>
        <translation>Finestre e grafici</translation>
    </message>
    <message>
        <source>Display</source>
        <translation>Visualizzazione</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Lingua</translation>
    </message>
    <message>
        <source>Font size</source>
        <translation>Dimensione testo</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Tema</translation>
    </message>
    <message>
        <source>Where New and Open workspace start; empty: TrigLab&apos;s own folder</source>
        <translation>Dove partono Nuovo e Apri workspace; vuoto: la cartella di TrigLab</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Sfoglia…</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Workspaces</source>
        <translation>Workspace</translation>
    </message>
    <message>
        <source>FPGA part; the Alveo U50 carries the {0}</source>
        <translation>Part FPGA; l&apos;Alveo U50 monta il {0}</translation>
    </message>
    <message>
        <source>Target clock period (5 ns = 200 MHz)</source>
        <translation>Periodo di clock obiettivo (5 ns = 200 MHz)</translation>
    </message>
    <message>
        <source>Synthesis defaults (new projects)</source>
        <translation>Default di sintesi (nuovi progetti)</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Part</translation>
    </message>
    <message>
        <source>Clock period</source>
        <translation>Periodo di clock</translation>
    </message>
    <message>
        <source>e.g. labserver.example.org</source>
        <translation>es. labserver.example.org</translation>
    </message>
    <message>
        <source>The machine with the Alveo U50 (a name, an address or an ~/.ssh/config alias)</source>
        <translation>La macchina con l&apos;Alveo U50 (un nome, un indirizzo o un alias di ~/.ssh/config)</translation>
    </message>
    <message>
        <source>the one ssh picks</source>
        <translation>quello scelto da ssh</translation>
    </message>
    <message>
        <source>Lab server with the Alveo U50</source>
        <translation>Server del laboratorio con l&apos;Alveo U50</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utente</translation>
    </message>
    <message>
        <source>Folder for workspaces</source>
        <translation>Cartella dei workspace</translation>
    </message>
</context>
<context>
    <name>PreviewControls</name>
    <message>
        <source>none (float32)</source>
        <translation>nessuna (float32)</translation>
    </message>
    <message>
        <source>fixed point ap_fixed&lt;W,I&gt;</source>
        <translation>fixed point ap_fixed&lt;W,I&gt;</translation>
    </message>
    <message>
        <source>power of two ±2^e</source>
        <translation>potenza di due ±2^e</translation>
    </message>
    <message>
        <source>binary ±a</source>
        <translation>binaria ±a</translation>
    </message>
    <message>
        <source>ternary {−a, 0, +a}</source>
        <translation>ternaria {−a, 0, +a}</translation>
    </message>
    <message>
        <source>truncate towards −∞ (ap_fixed&apos;s default)</source>
        <translation>tronca verso −∞ (default di ap_fixed)</translation>
    </message>
    <message>
        <source>round to nearest, half up</source>
        <translation>arrotonda al più vicino, metà in su</translation>
    </message>
    <message>
        <source>round to nearest, half to even</source>
        <translation>arrotonda al più vicino, metà al pari</translation>
    </message>
    <message>
        <source>truncate towards 0</source>
        <translation>tronca verso 0</translation>
    </message>
    <message>
        <source>round to nearest, half towards 0</source>
        <translation>arrotonda al più vicino, metà verso 0</translation>
    </message>
    <message>
        <source>round to nearest, half down</source>
        <translation>arrotonda al più vicino, metà in giù</translation>
    </message>
    <message>
        <source>round to nearest, half away from 0</source>
        <translation>arrotonda al più vicino, metà lontano da 0</translation>
    </message>
    <message>
        <source>wrap around, two&apos;s complement (ap_fixed&apos;s default)</source>
        <translation>wrap-around, complemento a due (default di ap_fixed)</translation>
    </message>
    <message>
        <source>saturate at the range&apos;s ends</source>
        <translation>satura agli estremi dell&apos;intervallo</translation>
    </message>
    <message>
        <source>saturate to a symmetric range</source>
        <translation>satura a un intervallo simmetrico</translation>
    </message>
    <message>
        <source>wrap around, sign-magnitude</source>
        <translation>wrap-around, modulo e segno</translation>
    </message>
    <message>
        <source>Use these settings →</source>
        <translation>Usa queste impostazioni →</translation>
    </message>
    <message>
        <source>Hand these settings to the Apply form (prune / quantize with fine-tuning)</source>
        <translation>Passa queste impostazioni al modulo Applica (pruning / quantizzazione con fine tuning)</translation>
    </message>
    <message>
        <source>target sparsity</source>
        <translation>sparsità obiettivo</translation>
    </message>
    <message>
        <source>magnitude threshold</source>
        <translation>soglia sul modulo</translation>
    </message>
    <message>
        <source>Target sparsity: remove that fraction of the kernel weights, the smallest first.
Magnitude threshold: remove every kernel weight with |w| ≤ the value.</source>
        <translation>Sparsità obiettivo: rimuove quella frazione dei pesi dei kernel, a partire dai più piccoli.
Soglia sul modulo: rimuove ogni peso dei kernel con |w| ≤ il valore.</translation>
    </message>
    <message>
        <source>Sparsity (%)</source>
        <translation>Sparsità (%)</translation>
    </message>
    <message>
        <source>Remove |w| ≤</source>
        <translation>Rimuovi |w| ≤</translation>
    </message>
    <message>
        <source>global (one threshold)</source>
        <translation>globale (una soglia)</translation>
    </message>
    <message>
        <source>per layer</source>
        <translation>per layer</translation>
    </message>
    <message>
        <source>Global: rank the kernels of all layers together (layers with many small weights lose more).
Per layer: bring every kernel to the target.</source>
        <translation>Globale: ordina insieme i kernel di tutti i layer (i layer con molti pesi piccoli perdono di più).
Per layer: porta ogni kernel all&apos;obiettivo.</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>layer</translation>
    </message>
    <message>
        <source>override</source>
        <translation>specifica</translation>
    </message>
    <message>
        <source>reached</source>
        <translation>raggiunta</translation>
    </message>
    <message>
        <source>Per-layer sensitivity overrides: a layer&apos;s own target sparsity (&apos;—&apos; = follow the slider).
Reached: the fraction of the layer&apos;s kernel that the preview prunes.</source>
        <translation>Sparsità specifiche per layer (dalla sensibilità): la sparsità obiettivo propria del layer (&apos;—&apos; = segue lo slider).
Raggiunta: la frazione del kernel del layer rimossa dal pruning nell&apos;anteprima.</translation>
    </message>
    <message>
        <source>Pruning</source>
        <translation>Pruning</translation>
    </message>
    <message>
        <source>Pruning acts on the kernels, smallest magnitudes first.</source>
        <translation>Il pruning agisce sui kernel, a partire dai moduli più piccoli.</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Modalità</translation>
    </message>
    <message>
        <source>Scope</source>
        <translation>Ambito</translation>
    </message>
    <message>
        <source>W: total bits per weight, sign included</source>
        <translation>W: bit totali per peso, segno incluso</translation>
    </message>
    <message>
        <source>I: bits above the binary point, sign included</source>
        <translation>I: bit prima della virgola binaria, segno incluso</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>auto</translation>
    </message>
    <message>
        <source>Per tensor, the fewest integer bits that hold its largest weight</source>
        <translation>Per tensore, il minimo numero di bit interi che contiene il suo peso più grande</translation>
    </message>
    <message>
        <source>Bits per weight: a sign bit and an exponent code (one code for 0)</source>
        <translation>Bit per peso: un bit di segno e un codice di esponente (un codice per lo 0)</translation>
    </message>
    <message>
        <source>|w| at or below this fraction of the tensor&apos;s largest |w| becomes 0</source>
        <translation>|w| fino a questa frazione del |w| massimo del tensore diventa 0</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantizzazione</translation>
    </message>
    <message>
        <source>Quantization acts on the kernels and the biases.</source>
        <translation>La quantizzazione agisce sui kernel e sui bias.</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>W (bits)</source>
        <translation>W (bit)</translation>
    </message>
    <message>
        <source>I (bits)</source>
        <translation>I (bit)</translation>
    </message>
    <message>
        <source>Rounding</source>
        <translation>Arrotondamento</translation>
    </message>
    <message>
        <source>Overflow</source>
        <translation>Overflow</translation>
    </message>
    <message>
        <source>Bits</source>
        <translation>Bit</translation>
    </message>
    <message>
        <source>Threshold (× max|w|)</source>
        <translation>Soglia (× max|w|)</translation>
    </message>
    <message>
        <source>Own target sparsity for &apos;{0}&apos; (&apos;—&apos;: follow the slider)</source>
        <translation>Sparsità obiettivo specifica per &apos;{0}&apos; (&apos;—&apos;: segue lo slider)</translation>
    </message>
</context>
<context>
    <name>PreviewMetric</name>
    <message>
        <source>loading {0}</source>
        <translation>caricamento di {0}</translation>
    </message>
    <message>
        <source>copying the model</source>
        <translation>copia del modello</translation>
    </message>
    <message>
        <source>val accuracy {0} % (baseline {1} %, {2})</source>
        <translation>val accuracy {0} % (riferimento {1} %, {2})</translation>
    </message>
    <message>
        <source>val {0} {1} (baseline {2}, {3})</source>
        <translation>val {0} {1} (riferimento {2}, {3})</translation>
    </message>
    <message>
        <source>higher is better</source>
        <translation>più alto è meglio</translation>
    </message>
    <message>
        <source>lower is better</source>
        <translation>più basso è meglio</translation>
    </message>
    <message>
        <source>baseline: the original weights of {0}</source>
        <translation>riferimento: i pesi originali di {0}</translation>
    </message>
    <message>
        <source>baseline: the original weights</source>
        <translation>riferimento: i pesi originali</translation>
    </message>
    <message>
        <source>On the first {0} validation samples; {1}; {2}.</source>
        <translation>Sui primi {0} campioni di validazione; {1}; {2}.</translation>
    </message>
    <message>
        <source>No retraining: fine-tuning after Apply usually recovers part of a loss.</source>
        <translation>Nessun retraining: il fine-tuning dopo Applica di solito recupera parte del calo.</translation>
    </message>
    <message>
        <source>Open a model to see its task metric under the preview.</source>
        <translation>Apri un modello per vedere la sua metrica del task con l&apos;anteprima.</translation>
    </message>
    <message>
        <source>No dataset is recorded for this variant: no task metric.</source>
        <translation>Nessun dataset registrato per questa variante: nessuna metrica del task.</translation>
    </message>
    <message>
        <source>preparing…</source>
        <translation>preparazione…</translation>
    </message>
    <message>
        <source>Loading {0} and copying the model.</source>
        <translation>Caricamento di {0} e copia del modello.</translation>
    </message>
    <message>
        <source>Preview set-up: {0}</source>
        <translation>Preparazione anteprima: {0}</translation>
    </message>
    <message>
        <source>Cannot evaluate: {0}</source>
        <translation>Impossibile valutare: {0}</translation>
    </message>
    <message>
        <source>computing…</source>
        <translation>calcolo…</translation>
    </message>
    <message>
        <source>Evaluating the preview weights.</source>
        <translation>Valutazione dei pesi dell&apos;anteprima.</translation>
    </message>
    <message>
        <source>Preview metric</source>
        <translation>Metrica dell&apos;anteprima</translation>
    </message>
</context>
<context>
    <name>ProfilePlot</name>
    <message>
        <source>magnitude |x| (log₂)</source>
        <translation>modulo |x| (log₂)</translation>
    </message>
    <message>
        <source>|weights| vs weight precision</source>
        <translation>|pesi| e precisione dei pesi</translation>
    </message>
    <message>
        <source>|activations| vs result precision</source>
        <translation>|attivazioni| e precisione del risultato</translation>
    </message>
    <message>
        <source>Run “Profile” to see the values of every layer against its precision.</source>
        <translation>Esegui “Profila” per vedere i valori di ogni layer rispetto alla sua precisione.</translation>
    </message>
    <message>
        <source>overflow in {0}</source>
        <translation>overflow in {0}</translation>
    </message>
    <message>
        <source>most values below the LSB in {0}</source>
        <translation>gran parte dei valori sotto l&apos;LSB in {0}</translation>
    </message>
    <message>
        <source>every profiled layer fits its precision</source>
        <translation>ogni layer profilato rientra nella sua precisione</translation>
    </message>
    <message>
        <source>activations on {0}</source>
        <translation>attivazioni su {0}</translation>
    </message>
    <message>
        <source>{0} (weights)</source>
        <translation>{0} (pesi)</translation>
    </message>
    <message>
        <source>{0} (output)</source>
        <translation>{0} (output)</translation>
    </message>
    <message>
        <source>range of the layer&apos;s ap_fixed (LSB … max)</source>
        <translation>intervallo dell&apos;ap_fixed del layer (LSB … max)</translation>
    </message>
    <message>
        <source>25–75 % of |x|, median line, whiskers 1–99 %</source>
        <translation>25–75 % di |x|, linea della mediana, baffi 1–99 %</translation>
    </message>
    <message>
        <source>overflows</source>
        <translation>overflow</translation>
    </message>
    <message>
        <source>median below the LSB</source>
        <translation>mediana sotto l&apos;LSB</translation>
    </message>
</context>
<context>
    <name>PruningHistory</name>
    <message>
        <source>Before pruning</source>
        <extracomment>The three panels (keys of :meth:`PruningHistory.plotted`; shown translated).</extracomment>
        <translation>Prima del pruning</translation>
    </message>
    <message>
        <source>After pruning</source>
        <translation>Dopo il pruning</translation>
    </message>
    <message>
        <source>After retraining</source>
        <translation>Dopo il riaddestramento</translation>
    </message>
    <message>
        <source>weight value</source>
        <translation>valore del peso</translation>
    </message>
    <message>
        <source>weights per bin</source>
        <translation>pesi per bin</translation>
    </message>
    <message>
        <source>Select a variant made by &lt;b&gt;Prune by magnitude&lt;/b&gt; with fine-tuning (or its &lt;i&gt;-pruned&lt;/i&gt; step) to see Han et al.&apos;s three weight distributions: before pruning, after pruning, after retraining.</source>
        <translation>Seleziona una variante ottenuta con &lt;b&gt;Pruning per modulo&lt;/b&gt; con fine-tuning (o il suo passo &lt;i&gt;-pruned&lt;/i&gt;) per vedere le tre distribuzioni dei pesi di Han et al.: prima del pruning, dopo il pruning, dopo il riaddestramento.</translation>
    </message>
    <message>
        <source>Layer &apos;{0}&apos; has no kernel in all three variants; pick a Dense or Conv layer.</source>
        <translation>Il layer &apos;{0}&apos; non ha un kernel in tutte e tre le varianti; scegli un layer Dense o Conv.</translation>
    </message>
    <message>
        <source>Layer &lt;b&gt;{0}&lt;/b&gt;: {1} → {2} → {3}.</source>
        <translation>Layer &lt;b&gt;{0}&lt;/b&gt;: {1} → {2} → {3}.</translation>
    </message>
    <message>
        <source>Zeros (pruned weights) are the orange bar at 0; the same bins in all three panels.</source>
        <translation>Gli zeri (pesi potati) sono la barra arancione in 0; stessi bin in tutti e tre i pannelli.</translation>
    </message>
    <message>
        <source>{0}: {1} zeros</source>
        <translation>{0}: {1} zeri</translation>
    </message>
</context>
<context>
    <name>ResourcesView</name>
    <message>
        <source>estimate (analytic model)</source>
        <translation>stima (modello analitico)</translation>
    </message>
    <message>
        <source>vendor report</source>
        <translation>report del tool AMD</translation>
    </message>
    <message>
        <source>estimate / report</source>
        <translation>stima / report</translation>
    </message>
    <message>
        <source>expected error</source>
        <translation>errore atteso</translation>
    </message>
    <message>
        <source>Latency (cycles)</source>
        <extracomment>The error bar of each row (keys of ``Estimate.error_bars``); the ns latency shares the cycles&apos;.</extracomment>
        <translation>Latenza (cicli)</translation>
    </message>
    <message>
        <source>Latency (ns)</source>
        <translation>Latenza (ns)</translation>
    </message>
    <message>
        <source>Latency (bunch crossings)</source>
        <translation>Latenza (bunch crossing)</translation>
    </message>
    <message>
        <source>Initiation interval (cycles)</source>
        <translation>Initiation interval (cicli)</translation>
    </message>
    <message>
        <source>Initiation interval (ns)</source>
        <translation>Intervallo di iniziazione (ns)</translation>
    </message>
    <message>
        <source>Initiation interval (bunch crossings)</source>
        <translation>Intervallo di iniziazione (bunch crossing)</translation>
    </message>
    <message>
        <source>Clock period (ns)</source>
        <translation>Periodo di clock (ns)</translation>
    </message>
    <message>
        <source>Does not fit the {0}:</source>
        <extracomment>Rows in bunch crossings (25 ns), shown with one decimal (&quot;6.8&quot;).</extracomment>
        <translation>Non entra in {0}:</translation>
    </message>
    <message>
        <source>Accepts an event every bunch crossing — {2}: II {0} ns ≤ {1} ns.</source>
        <translation>Accetta un evento a ogni bunch crossing — {2}: II {0} ns ≤ {1} ns.</translation>
    </message>
    <message>
        <source>Misses bunch crossings</source>
        <translation>Perde bunch crossing</translation>
    </message>
    <message>
        <source>{3}: takes an event every {0} bunch crossings (II {1} ns &gt; {2} ns), it would miss {4} of {0}. Lower the reuse factor, use io_parallel + Latency strategy, unroll the convolutions (ParallelizationFactor).</source>
        <translation>{3}: accetta un evento ogni {0} bunch crossing (II {1} ns &gt; {2} ns), ne perderebbe {4} su {0}. Riduci il reuse factor, usa io_parallel + strategia Latency, srotola le convoluzioni (ParallelizationFactor).</translation>
    </message>
    <message>
        <source>full</source>
        <translation>pieno</translation>
    </message>
    <message>
        <source>Refit: fit the estimate again on the reference designs plus the vendor reports stored in {0} (each build or import of a report adds one); the same as “triglab-cli hls calibrate”.</source>
        <translation>Ricalibra: adatta di nuovo la stima sui progetti di riferimento più i report del fornitore salvati in {0} (ogni build o import di un report ne aggiunge uno); come “triglab-cli hls calibrate”.</translation>
    </message>
    <message>
        <source>unknown part</source>
        <translation>dispositivo sconosciuto</translation>
    </message>
    <message>
        <source>% of the part&apos;s resources</source>
        <translation>% delle risorse del dispositivo</translation>
    </message>
    <message>
        <source>Unknown part: utilization not computed.</source>
        <translation>Dispositivo sconosciuto: utilizzo non calcolato.</translation>
    </message>
    <message>
        <source>Its expected error per quantity (±) was measured leaving each reference design out in turn; hover over a number for how often it held.</source>
        <translation>L&apos;errore atteso per ogni grandezza (±) è stato misurato escludendo a turno ciascun progetto di riferimento; passa sopra un numero per vedere quanto spesso è valso.</translation>
    </message>
    <message>
        <source>Calibration: {0}</source>
        <translation>Calibrazione: {0}</translation>
    </message>
    <message>
        <source>Refit the estimate</source>
        <translation>Ricalibra la stima</translation>
    </message>
    <message>
        <source>estimate</source>
        <translation>stima</translation>
    </message>
    <message>
        <source>report</source>
        <translation>report</translation>
    </message>
    <message>
        <source>ratio</source>
        <translation>rapporto</translation>
    </message>
    <message>
        <source>capacity</source>
        <translation>capacità</translation>
    </message>
    <message>
        <source>capacity of {0}</source>
        <translation>capacità di {0}</translation>
    </message>
    <message>
        <source>the part</source>
        <translation>il dispositivo</translation>
    </message>
    <message>
        <source>The report says 0: no ratio.</source>
        <translation>Il report dice 0: nessun rapporto.</translation>
    </message>
    <message>
        <source>{0}. Raise the reuse factor, use the Resource strategy, or fewer bits.</source>
        <translation>{0}. Aumenta il reuse factor, usa la strategia Resource o meno bit.</translation>
    </message>
    <message>
        <source>No resource numbers yet.</source>
        <translation>Ancora nessun dato sulle risorse.</translation>
    </message>
    <message>
        <source>(no vendor report: build, or import one)</source>
        <translation>(nessun report del tool AMD: fai la build o importane uno)</translation>
    </message>
    <message>
        <source>Estimate: an analytic model of the converted network, not a synthesis result.</source>
        <translation>Stima: un modello analitico della rete convertita, non un risultato di sintesi.</translation>
    </message>
    <message>
        <source>The estimate is an analytic model of the converted network (multipliers by bit width, reuse factor, layer depth), not a synthesis result; a vendor report is what the HLS tool computed.</source>
        <translation>La stima è un modello analitico della rete convertita (moltiplicatori per numero di bit, reuse factor, profondità dei layer), non un risultato di sintesi; il report del tool AMD è ciò che ha calcolato lo strumento HLS.</translation>
    </message>
</context>
<context>
    <name>SensitivityView</name>
    <message>
        <source>Run sensitivity analysis</source>
        <translation>Esegui analisi di sensibilità</translation>
    </message>
    <message>
        <source>Allowed drop of the task metric: absolute for accuracy, relative for an error</source>
        <translation>Calo consentito della metrica del task: assoluto per l&apos;accuracy, relativo per un errore</translation>
    </message>
    <message>
        <source>Use as per-layer pruning →</source>
        <translation>Usa come pruning per layer →</translation>
    </message>
    <message>
        <source>Each layer is pruned (or its weights narrowed to ap_fixed&lt;W,I&gt;) on its own, without retraining.</source>
        <translation>Ogni layer subisce il pruning (o i suoi pesi vengono ridotti ad ap_fixed&lt;W,I&gt;) da solo, senza retraining.</translation>
    </message>
    <message>
        <source>tolerance</source>
        <translation>tolleranza</translation>
    </message>
    <message>
        <source>Metric vs sparsity (one layer at a time)</source>
        <translation>Metrica vs sparsità (un layer alla volta)</translation>
    </message>
    <message>
        <source>Metric vs weight bits (one layer at a time)</source>
        <translation>Metrica vs bit dei pesi (un layer alla volta)</translation>
    </message>
    <message>
        <source>sparsity of the layer (%)</source>
        <translation>sparsità del layer (%)</translation>
    </message>
    <message>
        <source>weight width W (bits)</source>
        <translation>larghezza dei pesi W (bit)</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>Max sparsity</source>
        <translation>Sparsità max</translation>
    </message>
    <message>
        <source>Min bits</source>
        <translation>Bit min</translation>
    </message>
    <message>
        <source>Integer bits</source>
        <translation>Bit interi</translation>
    </message>
    <message>
        <source>Select a variant that has a dataset.</source>
        <translation>Seleziona una variante che abbia un dataset.</translation>
    </message>
    <message>
        <source>Sensitivity: {0}</source>
        <translation>Sensibilità: {0}</translation>
    </message>
    <message>
        <source>Failed: {0}</source>
        <translation>Fallito: {0}</translation>
    </message>
    <message>
        <source>validation {0}</source>
        <translation>validazione {0}</translation>
    </message>
    <message>
        <source>Baseline {0} {1} on {2} validation samples (dashed line).</source>
        <translation>Riferimento: {0} {1} su {2} campioni di validazione (linea tratteggiata).</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>TrigLab takes a neural network from &lt;i&gt;trained in Keras&lt;/i&gt; to &lt;i&gt;running inside a real-time trigger&lt;/i&gt;: look at its layers and weight distributions, compress it (pruning, quantization, clustering, low-rank, distillation) while watching the effect, synthesize it for an FPGA with hls4ml, and deploy it to an Alveo U50 (the Deploy tab says what this machine has for the card; without it, runs are emulated on CPU and say so).</source>
        <translation>TrigLab porta una rete neurale da &lt;i&gt;addestrata in Keras&lt;/i&gt; a &lt;i&gt;in esecuzione dentro un trigger real-time&lt;/i&gt;: esaminane i layer e le distribuzioni dei pesi, comprimila (pruning, quantizzazione, clustering, low-rank, distillazione) osservandone l&apos;effetto, sintetizzala per una FPGA con hls4ml e fanne il deploy su una Alveo U50 (la scheda Deploy indica cosa c&apos;è su questa macchina per la U50; in sua assenza le esecuzioni sono emulate su CPU, e viene segnalato).</translation>
    </message>
    <message>
        <source>Hands-on 1 — a small CNN on 8×8 digits</source>
        <translation>Hands-on 1 — una piccola CNN sulle cifre 8×8</translation>
    </message>
    <message>
        <source>Train a CNN on scikit-learn&apos;s digits, prune it by weight magnitude, quantize it to 8 bits, and compare the weight distributions before pruning, after pruning and after retraining.</source>
        <translation>Addestra una CNN sulle cifre di scikit-learn, applica il pruning in base al modulo dei pesi, quantizzala a 8 bit e confronta le distribuzioni dei pesi prima del pruning, dopo il pruning e dopo il retraining.</translation>
    </message>
    <message>
        <source>Hands-on 2 — the ATLAS Level-0 muon trigger</source>
        <translation>Hands-on 2 — il trigger di muoni di livello 0 di ATLAS</translation>
    </message>
    <message>
        <source>A CNN reads RPC hit maps from a built-in toy simulation and regresses the muon&apos;s q/pT. Quantize it hard with QKeras, recover with knowledge distillation, synthesize with hls4ml.</source>
        <translation>Una CNN legge mappe di hit RPC da una simulazione toy integrata e stima per regressione il q/pT del muone. Quantizzala in modo spinto con QKeras, recupera con la knowledge distillation, sintetizzala con hls4ml.</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Inizio</translation>
    </message>
    <message>
        <source>Open model file…</source>
        <translation>Apri file di modello…</translation>
    </message>
    <message>
        <source>Open workspace…</source>
        <translation>Apri workspace…</translation>
    </message>
    <message>
        <source>New workspace…</source>
        <translation>Nuovo workspace…</translation>
    </message>
    <message>
        <source>Recent workspaces</source>
        <translation>Workspace recenti</translation>
    </message>
    <message>
        <source>Walkthroughs</source>
        <translation>Esercitazioni</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Apri</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>(ancora nessuno)</translation>
    </message>
</context>
<context>
    <name>SweepForm</name>
    <message>
        <source>Grid (every point)</source>
        <extracomment>Strategy key -&gt; its name in the menu.</extracomment>
        <translation>Griglia (ogni punto)</translation>
    </message>
    <message>
        <source>Random points of the grid</source>
        <translation>Punti casuali della griglia</translation>
    </message>
    <message>
        <source>NSGA-II (Optuna, multi-objective)</source>
        <translation>NSGA-II (Optuna, multi-obiettivo)</translation>
    </message>
    <message>
        <source>TPE (Optuna)</source>
        <translation>TPE (Optuna)</translation>
    </message>
    <message>
        <source>Task metric</source>
        <extracomment>Measure key (core.sweep.spec.MEASURES) -&gt; its check box text.</extracomment>
        <translation>Metrica del task</translation>
    </message>
    <message>
        <source>Auto precision</source>
        <translation>Precisione automatica</translation>
    </message>
    <message>
        <source>C simulation</source>
        <translation>Simulazione C</translation>
    </message>
    <message>
        <source>FPGA estimate</source>
        <translation>Stima FPGA</translation>
    </message>
    <message>
        <source>Vendor synthesis</source>
        <translation>Sintesi del vendor</translation>
    </message>
    <message>
        <source>The variant every point starts from (left untouched)</source>
        <extracomment>The rows a new form starts with (axis, values): 3 × 2 = 6 points.</extracomment>
        <translation>La variante da cui parte ogni punto (non viene modificata)</translation>
    </message>
    <message>
        <source>Axis</source>
        <translation>Asse</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>Valori</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Punti</translation>
    </message>
    <message>
        <source>lo:hi:n for n evenly spaced values from lo to hi, or a list a,b,c</source>
        <translation>lo:hi:n per n valori equispaziati da lo a hi, oppure una lista a,b,c</translation>
    </message>
    <message>
        <source>Add an axis</source>
        <translation>Aggiungi un asse</translation>
    </message>
    <message>
        <source>Remove the selected axis</source>
        <translation>Rimuovi l&apos;asse selezionato</translation>
    </message>
    <message>
        <source>Settings equal in every point: NAME=VALUE pairs separated by spaces</source>
        <translation>Impostazioni uguali in ogni punto: coppie NOME=VALORE separate da spazi</translation>
    </message>
    <message>
        <source>How many points to run (the grid runs every point)</source>
        <translation>Quanti punti eseguire (la griglia li esegue tutti)</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>nessun limite</translation>
    </message>
    <message>
        <source>No new point starts after this time; running points finish</source>
        <translation>Dopo questo tempo non parte nessun nuovo punto; quelli in corso terminano</translation>
    </message>
    <message>
        <source>Vitis HLS / Vivado on the workers that have them (hours per point)</source>
        <translation>Vitis HLS / Vivado sui worker che li hanno (ore per punto)</translation>
    </message>
    <message>
        <source>Validation events for the precision search and the C simulation of each point</source>
        <translation>Eventi di validazione per la ricerca della precisione e la simulazione C di ogni punto</translation>
    </message>
    <message>
        <source>Seed of the strategy and of every fine-tuning</source>
        <translation>Seed della strategia e di ogni fine-tuning</translation>
    </message>
    <message>
        <source>The sweep&apos;s name (its folder in the workspace); empty: automatic</source>
        <translation>Il nome dello sweep (la sua cartella nel workspace); vuoto: automatico</translation>
    </message>
    <message>
        <source>Run sweep</source>
        <translation>Avvia sweep</translation>
    </message>
    <message>
        <source>Start the sweep; other jobs keep running meanwhile</source>
        <translation>Avvia lo sweep; gli altri job continuano nel frattempo</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Stop submitting points; finished points stay in the sweep</source>
        <translation>Smetti di inviare punti; i punti finiti restano nello sweep</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Cosa</translation>
    </message>
    <message>
        <source>Base variant</source>
        <translation>Variante di partenza</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>Fissi</translation>
    </message>
    <message>
        <source>How</source>
        <translation>Come</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>Strategia</translation>
    </message>
    <message>
        <source>Time budget</source>
        <translation>Tempo massimo</translation>
    </message>
    <message>
        <source>Calibration events</source>
        <translation>Eventi di calibrazione</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Measures</source>
        <translation>Misure</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <source>A short name ({0}), bits@LAYER for one QKeras layer, or STAGE.PARAM</source>
        <translation>Un nome breve ({0}), bits@LAYER per un layer QKeras, oppure STADIO.PARAMETRO</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is swept twice (rows {1} and {2})</source>
        <translation>&apos;{0}&apos; compare due volte (righe {1} e {2})</translation>
    </message>
    <message>
        <source>Row {0}: {1}</source>
        <translation>Riga {0}: {1}</translation>
    </message>
    <message>
        <source>name the axis (e.g. sparsity)</source>
        <translation>indica l&apos;asse (ad es. sparsity)</translation>
    </message>
    <message>
        <source>give its values (lo:hi:n or a,b,c)</source>
        <translation>indica i valori (lo:hi:n oppure a,b,c)</translation>
    </message>
    <message>
        <source>sweeps are not available: {0}</source>
        <translation>sweep non disponibili: {0}</translation>
    </message>
    <message>
        <source>Grid: — (fix the rows in red)</source>
        <translation>Griglia: — (correggi le righe in rosso)</translation>
    </message>
    <message>
        <source>Grid: no axis yet</source>
        <translation>Griglia: ancora nessun asse</translation>
    </message>
    <message>
        <source>Grid: {0} points</source>
        <translation>Griglia: {0} punti</translation>
    </message>
    <message>
        <source>Fixed settings: {0}</source>
        <translation>Impostazioni fisse: {0}</translation>
    </message>
    <message>
        <source>Open a workspace with a variant to sweep</source>
        <translation>Apri un workspace con una variante da esplorare</translation>
    </message>
    <message>
        <source>Axis row {0}: {1}</source>
        <translation>Asse, riga {0}: {1}</translation>
    </message>
    <message>
        <source>Add at least one axis to sweep</source>
        <translation>Aggiungi almeno un asse da esplorare</translation>
    </message>
    <message>
        <source>Tick at least one measure</source>
        <translation>Spunta almeno una misura</translation>
    </message>
</context>
<context>
    <name>SweepPlot</name>
    <message>
        <source>X:</source>
        <translation>X:</translation>
    </message>
    <message>
        <source>Y:</source>
        <translation>Y:</translation>
    </message>
    <message>
        <source>Colour:</source>
        <translation>Colore:</translation>
    </message>
    <message>
        <source>Pareto front</source>
        <translation>Fronte di Pareto</translation>
    </message>
    <message>
        <source>none</source>
        <translation>nessuno</translation>
    </message>
    <message>
        <source>higher is better</source>
        <translation>più alto è meglio</translation>
    </message>
    <message>
        <source>lower is better</source>
        <translation>più basso è meglio</translation>
    </message>
    <message>
        <source>No finished point to plot yet</source>
        <translation>Ancora nessun punto finito da disegnare</translation>
    </message>
    <message>
        <source>{0} finished points lack X or Y and are not plotted</source>
        <translation>{0} punti finiti non hanno X o Y e non sono disegnati</translation>
    </message>
    <message>
        <source>higher y</source>
        <translation>y più alta</translation>
    </message>
    <message>
        <source>lower y</source>
        <translation>y più bassa</translation>
    </message>
    <message>
        <source>higher x</source>
        <translation>x più alta</translation>
    </message>
    <message>
        <source>lower x</source>
        <translation>x più bassa</translation>
    </message>
    <message>
        <source>better: {0}, {1}</source>
        <translation>meglio: {0}, {1}</translation>
    </message>
    <message>
        <source>point {0} ({1})</source>
        <translation>punto {0} ({1})</translation>
    </message>
    <message>
        <source>failed: {0}</source>
        <translation>fallito: {0}</translation>
    </message>
</context>
<context>
    <name>SweepStatus</name>
    <message>
        <source>no sweep running</source>
        <extracomment>Metrics that are better higher, for names :data:`AXES` does not know (a suffix or the name).</extracomment>
        <translation>nessuno sweep in corso</translation>
    </message>
    <message>
        <source>{0} of {1} points</source>
        <translation>{0} di {1} punti</translation>
    </message>
    <message>
        <source>{0} points</source>
        <translation>{0} punti</translation>
    </message>
    <message>
        <source>done {0}</source>
        <translation>finiti {0}</translation>
    </message>
    <message>
        <source>running {0}</source>
        <translation>in corso {0}</translation>
    </message>
    <message>
        <source>failed {0}</source>
        <translation>falliti {0}</translation>
    </message>
    <message>
        <source>ETA {0}</source>
        <translation>mancano {0}</translation>
    </message>
    <message>
        <source>Dask dashboard</source>
        <translation>Dashboard di Dask</translation>
    </message>
    <message>
        <source>Dask dashboard: not available</source>
        <translation>Dashboard di Dask: non disponibile</translation>
    </message>
</context>
<context>
    <name>SweepTable</name>
    <message>
        <source>done</source>
        <extracomment>Point status key -&gt; its word in the table.</extracomment>
        <translation>finito</translation>
    </message>
    <message>
        <source>running</source>
        <translation>in corso</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fallito</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Stato</translation>
    </message>
    <message>
        <source>failed: {0}</source>
        <translation>fallito: {0}</translation>
    </message>
</context>
<context>
    <name>SweepView</name>
    <message>
        <source>grid</source>
        <extracomment>A stored sweep&apos;s strategy, in its one-line summary (&quot;muon24: grid of student, 3 axes&quot;).</extracomment>
        <translation>griglia</translation>
    </message>
    <message>
        <source>random points</source>
        <translation>punti casuali</translation>
    </message>
    <message>
        <source>The sweeps of this workspace</source>
        <translation>Gli sweep di questo workspace</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Riprendi</translation>
    </message>
    <message>
        <source>Run the points of this sweep that have not finished</source>
        <translation>Esegui i punti di questo sweep non ancora finiti</translation>
    </message>
    <message>
        <source>Make variant</source>
        <translation>Crea variante</translation>
    </message>
    <message>
        <source>Make the selected point a variant of the workspace (for Synthesis and Deploy)</source>
        <translation>Fai del punto selezionato una variante del workspace (per Sintesi e Deploy)</translation>
    </message>
    <message>
        <source>Sweep</source>
        <translation>Sweep</translation>
    </message>
    <message>
        <source>Cannot list the sweeps: {0}</source>
        <translation>Impossibile elencare gli sweep: {0}</translation>
    </message>
    <message>
        <source>of {0}, {1}; {2} done, {3} failed</source>
        <translation>di {0}, {1}; {2} finiti, {3} falliti</translation>
    </message>
    <message>
        <source>Cannot read sweep {0}: {1}</source>
        <translation>Impossibile leggere lo sweep {0}: {1}</translation>
    </message>
    <message>
        <source>Running in another process; refreshed every few seconds.</source>
        <translation>In corso in un altro processo; aggiornato ogni pochi secondi.</translation>
    </message>
    <message>
        <source>{0}: {1} of {2}, {3} axes</source>
        <translation>{0}: {1} di {2}, {3} assi</translation>
    </message>
    <message>
        <source>Click a point to select it.</source>
        <translation>Fai clic su un punto per selezionarlo.</translation>
    </message>
    <message>
        <source>Point {0}: {1}</source>
        <translation>Punto {0}: {1}</translation>
    </message>
    <message>
        <source>Open a workspace first.</source>
        <translation>Apri prima un workspace.</translation>
    </message>
    <message>
        <source>A sweep is already running; cancel it first.</source>
        <translation>Uno sweep è già in corso; annullalo prima.</translation>
    </message>
    <message>
        <source>Resume sweep {0}</source>
        <translation>Ripresa dello sweep {0}</translation>
    </message>
    <message>
        <source>Sweep {0}</source>
        <translation>Sweep {0}</translation>
    </message>
    <message>
        <source>Sweep failed: {0}</source>
        <translation>Sweep fallito: {0}</translation>
    </message>
    <message>
        <source>Cancelled; the finished points are kept (Resume).</source>
        <translation>Annullato; i punti finiti sono conservati (Riprendi).</translation>
    </message>
    <message>
        <source>Sweep {0} finished.</source>
        <translation>Sweep {0} finito.</translation>
    </message>
    <message>
        <source>Sweep {0} started.</source>
        <translation>Sweep {0} avviato.</translation>
    </message>
    <message>
        <source>Variant from sweep {0}, point {1}</source>
        <translation>Variante dallo sweep {0}, punto {1}</translation>
    </message>
    <message>
        <source>Cannot make the variant</source>
        <translation>Impossibile creare la variante</translation>
    </message>
    <message>
        <source>Cannot open variant</source>
        <translation>Impossibile aprire la variante</translation>
    </message>
    <message>
        <source>Variant &apos;{0}&apos; made from sweep {1}; it is ready for Synthesis.</source>
        <translation>Variante &apos;{0}&apos; creata dallo sweep {1}; è pronta per la Sintesi.</translation>
    </message>
</context>
<context>
    <name>TrainForm</name>
    <message>
        <source>Other file…</source>
        <translation>Altro file…</translation>
    </message>
    <message>
        <source>— none (plain training) —</source>
        <translation>— nessuno (training semplice) —</translation>
    </message>
    <message>
        <source>constant</source>
        <translation>costante</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>coseno</translation>
    </message>
    <message>
        <source>The variant to start from; it is copied, never changed.</source>
        <translation>La variante di partenza; viene copiata, mai modificata.</translation>
    </message>
    <message>
        <source>Knowledge distillation: a trained variant whose outputs the new variant (a copy of &apos;Start from&apos;, the student) learns to match, besides the truth.</source>
        <translation>Knowledge distillation: una variante addestrata le cui uscite la nuova variante (una copia di &apos;Parti da&apos;, lo student) impara a riprodurre, oltre alla verità.</translation>
    </message>
    <message>
        <source>Softening temperature T of the teacher&apos;s and student&apos;s softmax. Only used for classification; a regression student matches the teacher&apos;s outputs directly.</source>
        <translation>Temperatura T di ammorbidimento della softmax di teacher e student. Usata solo per la classificazione; in regressione lo student riproduce direttamente le uscite del teacher.</translation>
    </message>
    <message>
        <source>α: weight of the hard-label (truth) loss; the teacher term gets 1 − α. 0 = learn from the teacher only, 1 = ignore the teacher.</source>
        <translation>α: peso della loss sulle etichette vere (hard label); il termine del teacher ha peso 1 − α. 0 = impara solo dal teacher, 1 = ignora il teacher.</translation>
    </message>
    <message>
        <source>Events the teacher labels, trained on besides the training set. Simulated data sets only (e.g. muon_rpc); their truth is not used.</source>
        <translation>Eventi etichettati dal teacher, usati nel training oltre al training set. Solo dataset simulati (es. muon_rpc); la loro verità non viene usata.</translation>
    </message>
    <message>
        <source>Training and validation data. &apos;Other file…&apos; reads a .npz or .h5 file.</source>
        <translation>Dati di training e validazione. &apos;Altro file…&apos; legge un file .npz o .h5.</translation>
    </message>
    <message>
        <source>Passes over the training data.</source>
        <translation>Passaggi sui dati di training.</translation>
    </message>
    <message>
        <source>samples</source>
        <translation>campioni</translation>
    </message>
    <message>
        <source>Samples per gradient step.</source>
        <translation>Campioni per passo del gradiente.</translation>
    </message>
    <message>
        <source>Learning rate. Arrows step on a 1-2-5 log ladder; type any value (e.g. 3e-4).</source>
        <translation>Learning rate. Le frecce si muovono su una scala logaritmica 1-2-5; si può scrivere qualsiasi valore (es. 3e-4).</translation>
    </message>
    <message>
        <source>SGD uses momentum 0.9. Distillation always uses Adam.</source>
        <translation>SGD usa momentum 0.9. La distillation usa sempre Adam.</translation>
    </message>
    <message>
        <source>Learning rate over the run: constant, or cosine (decays to 1/100 of it by the last epoch; settles quantized weights).</source>
        <translation>Learning rate durante il training: costante, o coseno (scende a 1/100 del valore entro l&apos;ultima epoca; stabilizza i pesi quantizzati).</translation>
    </message>
    <message>
        <source>Same seed, same machine: same result (deterministic kernels).</source>
        <translation>Stesso seed, stessa macchina: stesso risultato (kernel deterministici).</translation>
    </message>
    <message>
        <source>all</source>
        <translation>tutti</translation>
    </message>
    <message>
        <source>Train on the first N samples only (quick trials); validation is full.</source>
        <translation>Addestra solo sui primi N campioni (prove rapide); la validazione è completa.</translation>
    </message>
    <message>
        <source>Name of the new variant (made unique if taken).</source>
        <translation>Nome della nuova variante (reso univoco se già usato).</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>Avvia training</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annulla</translation>
    </message>
    <message>
        <source>Stops after the current batch; the partly trained variant is kept.</source>
        <translation>Si ferma dopo il batch corrente; la variante parzialmente addestrata viene conservata.</translation>
    </message>
    <message>
        <source>Log-scale loss axis</source>
        <translation>Loss in scala logaritmica</translation>
    </message>
    <message>
        <source>Training run</source>
        <translation>Sessione di training</translation>
    </message>
    <message>
        <source>Start from</source>
        <translation>Parti da</translation>
    </message>
    <message>
        <source>Teacher</source>
        <translation>Teacher</translation>
    </message>
    <message>
        <source>Temperature T</source>
        <translation>Temperatura T</translation>
    </message>
    <message>
        <source>α (truth weight)</source>
        <translation>α (peso della verità)</translation>
    </message>
    <message>
        <source>Events without truth</source>
        <translation>Eventi senza verità</translation>
    </message>
    <message>
        <source>Data set</source>
        <translation>Dataset</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Dimensione del batch</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Learning rate</translation>
    </message>
    <message>
        <source>LR schedule</source>
        <translation>Andamento LR</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>Ottimizzatore</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Max train samples</source>
        <translation>Max campioni di training</translation>
    </message>
    <message>
        <source>New variant name</source>
        <translation>Nome nuova variante</translation>
    </message>
    <message>
        <source>Display</source>
        <translation>Visualizzazione</translation>
    </message>
    <message>
        <source>Epoch points: the mean training loss over the epoch and the validation loss at its end. The faint line is the per-batch loss, smoothed (EMA, ~10 batches).</source>
        <translation>Punti per epoca: la loss media di training sull&apos;epoca e la loss di validazione alla sua fine. La linea tenue è la loss per batch, smussata (EMA, ~10 batch).</translation>
    </message>
    <message>
        <source>Start distillation</source>
        <translation>Avvia distillation</translation>
    </message>
    <message>
        <source>Name of the new variant (made unique if taken). Left empty: {0}</source>
        <translation>Nome della nuova variante (reso univoco se già usato). Se vuoto: {0}</translation>
    </message>
    <message>
        <source>Training data file</source>
        <translation>File di dati di training</translation>
    </message>
    <message>
        <source>Data files (*.npz *.h5 *.hdf5);;All files (*)</source>
        <translation>File di dati (*.npz *.h5 *.hdf5);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>The teacher &apos;{0}&apos; is no longer in the workspace; choose another one.</source>
        <translation>Il teacher &apos;{0}&apos; non è più nel workspace: scegline un altro.</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; cannot teach itself: choose a different teacher than the &apos;Start from&apos; variant (the student), or &apos;{1}&apos;.</source>
        <translation>&apos;{0}&apos; non può fare da teacher a se stesso: scegli un teacher diverso dalla variante di &apos;Parti da&apos; (lo student), oppure &apos;{1}&apos;.</translation>
    </message>
    <message>
        <source>The teacher &apos;{0}&apos; was made for the data set &apos;{1}&apos;, the student &apos;{2}&apos; for &apos;{3}&apos;: a teacher can only teach on its own data set.</source>
        <translation>Il teacher &apos;{0}&apos; è stato fatto per il dataset &apos;{1}&apos;, lo student &apos;{2}&apos; per &apos;{3}&apos;: un teacher può insegnare solo sul proprio dataset.</translation>
    </message>
</context>
<context>
    <name>TrainPlots</name>
    <message>
        <source>accuracy</source>
        <translation>accuracy</translation>
    </message>
    <message>
        <source>mean absolute error</source>
        <translation>errore assoluto medio</translation>
    </message>
    <message>
        <source>mean squared error</source>
        <translation>errore quadratico medio</translation>
    </message>
    <message>
        <source>cross-entropy</source>
        <translation>cross-entropy</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>epoca</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>loss</translation>
    </message>
    <message>
        <source>metric</source>
        <translation>metrica</translation>
    </message>
    <message>
        <source>accuracy (%)</source>
        <translation>accuracy (%)</translation>
    </message>
    <message>
        <source>train</source>
        <translation>training</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>validazione</translation>
    </message>
    <message>
        <source>Loss ({0}; teacher term T²·KL):</source>
        <translation>Loss ({0}; termine del teacher T²·KL):</translation>
    </message>
    <message>
        <source>Loss ({0}):</source>
        <translation>Loss ({0}):</translation>
    </message>
    <message>
        <source>Loss:</source>
        <translation>Loss:</translation>
    </message>
    <message>
        <source>total, per batch (EMA)</source>
        <translation>totale, per batch (EMA)</translation>
    </message>
    <message>
        <source>total: α·truth + (1−α)·teacher</source>
        <translation>totale: α·verità + (1−α)·teacher</translation>
    </message>
    <message>
        <source>truth term (hard labels)</source>
        <translation>termine di verità (hard label)</translation>
    </message>
    <message>
        <source>teacher term</source>
        <translation>termine del teacher</translation>
    </message>
    <message>
        <source>dashed: validation</source>
        <translation>tratteggiata: validazione</translation>
    </message>
    <message>
        <source>train, per batch (EMA)</source>
        <translation>training, per batch (EMA)</translation>
    </message>
</context>
<context>
    <name>TrainView</name>
    <message>
        <source>Train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>starting from {0}</source>
        <translation>a partire da {0}</translation>
    </message>
    <message>
        <source>Ready. Set the run up on the left and press Start.</source>
        <translation>Pronto. Imposta l&apos;esecuzione a sinistra e premi Avvia.</translation>
    </message>
    <message>
        <source>Open a workspace with a model to train it.</source>
        <translation>Apri un workspace con un modello per addestrarlo.</translation>
    </message>
    <message>
        <source>No variant to train: open a workspace and select a model.</source>
        <translation>Nessuna variante da addestrare: apri un workspace e seleziona un modello.</translation>
    </message>
    <message>
        <source>Choose a data set to train on.</source>
        <translation>Scegli un dataset per il training.</translation>
    </message>
    <message>
        <source>Distill {0} into {1}</source>
        <translation>Distillazione di {0} in {1}</translation>
    </message>
    <message>
        <source>Train {0}</source>
        <translation>Training di {0}</translation>
    </message>
    <message>
        <source>Distillation failed: {0}  (details in the Jobs dock)</source>
        <translation>Distillazione fallita: {0}  (dettagli nel pannello Job)</translation>
    </message>
    <message>
        <source>Training failed: {0}  (details in the Jobs dock)</source>
        <translation>Training fallito: {0}  (dettagli nel pannello Job)</translation>
    </message>
    <message>
        <source>Queued: waiting for the jobs ahead of it to finish.</source>
        <translation>In coda: attende che finiscano i job precedenti.</translation>
    </message>
    <message>
        <source>Cancelling after the current batch… ({0} of {1} epochs done, {2} elapsed)</source>
        <translation>Annullamento dopo il batch corrente… ({0} di {1} epoche completate, {2} trascorsi)</translation>
    </message>
    <message>
        <source>Loading the data and preparing the run… ({0} elapsed)</source>
        <translation>Caricamento dei dati e preparazione dell&apos;esecuzione… ({0} trascorsi)</translation>
    </message>
    <message>
        <source>{0} ({1} elapsed)</source>
        <translation>{0} ({1} trascorsi)</translation>
    </message>
    <message>
        <source>Epoch {0} of {1}</source>
        <translation>Epoca {0} di {1}</translation>
    </message>
    <message>
        <source>{0} elapsed</source>
        <translation>{0} trascorsi</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fatto</translation>
    </message>
    <message>
        <source>{0} of {1} epochs in {2}</source>
        <translation>{0} di {1} epoche in {2}</translation>
    </message>
    <message>
        <source>new variant {0}</source>
        <translation>nuova variante {0}</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annullato</translation>
    </message>
    <message>
        <source>after {0} of {1} epochs ({2}). The partly trained variant {3} was still added, marked as cancelled.</source>
        <translation>dopo {0} di {1} epoche ({2}). La variante {3}, addestrata in parte, è stata comunque aggiunta, contrassegnata come annullata.</translation>
    </message>
    <message>
        <source>before training started; no variant was added.</source>
        <translation>prima dell&apos;inizio del training; nessuna variante è stata aggiunta.</translation>
    </message>
    <message>
        <source>after {0} of {1} epochs ({2}).</source>
        <translation>dopo {0} di {1} epoche ({2}).</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallito</translation>
    </message>
    <message>
        <source>after {0}. The form is ready for another try.</source>
        <translation>dopo {0}. Il modulo è pronto per un nuovo tentativo.</translation>
    </message>
    <message>
        <source>The run started here before ({0}) goes on in the Jobs dock.</source>
        <translation>L&apos;esecuzione avviata qui in precedenza ({0}) prosegue nel pannello Job.</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>loss</translation>
    </message>
    <message>
        <source>val loss</source>
        <translation>val loss</translation>
    </message>
    <message>
        <source>val truth term</source>
        <translation>val termine verità</translation>
    </message>
    <message>
        <source>val teacher term</source>
        <translation>val termine teacher</translation>
    </message>
    <message>
        <source>val accuracy {0}</source>
        <translation>val accuracy {0}</translation>
    </message>
    <message>
        <source>val {0} {1}</source>
        <translation>val {0} {1}</translation>
    </message>
</context>
<context>
    <name>UserGuideDialog</name>
    <message>
        <source>TrigLab user guide</source>
        <translation>Guida utente di TrigLab</translation>
    </message>
</context>
<context>
    <name>VariantsPanel</name>
    <message>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>Operazione</translation>
    </message>
    <message>
        <source>Task metric</source>
        <translation>Metrica del task</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parametri</translation>
    </message>
    <message>
        <source>Sparsity</source>
        <translation>Sparsità</translation>
    </message>
    <message>
        <source>gzip size</source>
        <translation>Dim. gzip</translation>
    </message>
    <message>
        <source>classical coincidence-window trigger — no network</source>
        <extracomment>Widest the name column starts, in average character widths (longer names elide in the middle, whole in the tooltip), so that the task metric stays in sight in a narrow dock. Narrowest the tree gets, in average character widths.</extracomment>
        <translation>trigger classico a finestre di coincidenza — nessuna rete</translation>
    </message>
    <message>
        <source>acc {0}</source>
        <translation>acc {0}</translation>
    </message>
    <message>
        <source>MAE {0}</source>
        <translation>MAE {0}</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Rinomina…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Esporta…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Elimina…</translation>
    </message>
    <message>
        <source>Rename, export or delete the selected variant (also on right-click)</source>
        <translation>Rinomina, esporta o elimina la variante selezionata (anche con il tasto destro)</translation>
    </message>
    <message>
        <source>{0} (cancelled)</source>
        <translation>{0} (interrotta)</translation>
    </message>
    <message>
        <source>file: {0}</source>
        <translation>file: {0}</translation>
    </message>
    <message>
        <source>created: {0}</source>
        <translation>creata: {0}</translation>
    </message>
    <message>
        <source>from: {0}</source>
        <translation>da: {0}</translation>
    </message>
    <message>
        <source>dataset: {0}</source>
        <translation>dataset: {0}</translation>
    </message>
    <message>
        <source>parameters: {0}</source>
        <translation>parametri: {0}</translation>
    </message>
    <message>
        <source>Cannot open variant</source>
        <translation>Impossibile aprire la variante</translation>
    </message>
    <message>
        <source>Rename variant</source>
        <translation>Rinomina variante</translation>
    </message>
    <message>
        <source>New name for &apos;{0}&apos;:</source>
        <translation>Nuovo nome per &apos;{0}&apos;:</translation>
    </message>
    <message>
        <source>Cannot rename</source>
        <translation>Impossibile rinominare</translation>
    </message>
    <message>
        <source>Delete variant &apos;{0}&apos; and its model file?</source>
        <translation>Eliminare la variante &apos;{0}&apos; e il suo file di modello?</translation>
    </message>
    <message>
        <source>Its {0} derived variant(s) stay, attached to its parent.</source>
        <translation>Le sue {0} varianti derivate restano, collegate alla variante di origine.</translation>
    </message>
    <message>
        <source>This cannot be undone.</source>
        <translation>L&apos;operazione non può essere annullata.</translation>
    </message>
    <message>
        <source>Delete variant</source>
        <translation>Elimina variante</translation>
    </message>
    <message>
        <source>Cannot delete</source>
        <translation>Impossibile eliminare</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is the classical coincidence-window trigger: it has no network to export</source>
        <translation>&apos;{0}&apos; è il trigger classico a finestre di coincidenza: non ha una rete da esportare</translation>
    </message>
    <message>
        <source>Export &apos;{0}&apos;</source>
        <translation>Esporta &apos;{0}&apos;</translation>
    </message>
    <message>
        <source>Keras HDF5 (*.h5);;Keras v3 (*.keras)</source>
        <translation>Keras HDF5 (*.h5);;Keras v3 (*.keras)</translation>
    </message>
    <message>
        <source>Exported &apos;{0}&apos; to {1}</source>
        <translation>&apos;{0}&apos; esportata in {1}</translation>
    </message>
    <message>
        <source>Cannot export</source>
        <translation>Impossibile esportare</translation>
    </message>
</context>
<context>
    <name>Walkthrough</name>
    <message>
        <source>✓ done</source>
        <translation>✓ fatto</translation>
    </message>
    <message>
        <source>… running</source>
        <translation>… in corso</translation>
    </message>
    <message>
        <source>not yet</source>
        <translation>non ancora</translation>
    </message>
    <message>
        <source>✗ failed</source>
        <translation>✗ fallito</translation>
    </message>
    <message>
        <source>✗ cancelled</source>
        <translation>✗ annullato</translation>
    </message>
    <message>
        <source>validation accuracy above 95 %:</source>
        <extracomment>The promise of the compression steps: at most this much accuracy lost [fraction].</extracomment>
        <translation>accuracy di validazione sopra il 95 %:</translation>
    </message>
    <message>
        <source>within 1 point of the unpruned CNN:</source>
        <translation>entro 1 punto dalla CNN senza pruning:</translation>
    </message>
    <message>
        <source>within 1 point of float:</source>
        <translation>entro 1 punto dal float:</translation>
    </message>
    <message>
        <source>within 1 point of float on the DPU&apos;s integers:</source>
        <translation>entro 1 punto dal float sugli interi della DPU:</translation>
    </message>
    <message>
        <source>Hands-on 1 — a small CNN on 8×8 digits</source>
        <translation>Hands-on 1 — una piccola CNN sulle cifre 8×8</translation>
    </message>
    <message>
        <source>Train the CNN</source>
        <translation>Training della CNN</translation>
    </message>
    <message>
        <source>A small CNN (two convolutions, two dense layers) learns the 8×8 digits that ship with scikit-learn. Watch the loss and accuracy curves per epoch.</source>
        <translation>Una piccola CNN (due convoluzioni, due layer densi) impara le cifre 8×8 fornite con scikit-learn. Osserva le curve di loss e di accuracy per epoca.</translation>
    </message>
    <message>
        <source>Prune 82 % of the weights, then fine-tune</source>
        <translation>Pruning dell&apos;82 % dei pesi, poi fine tuning</translation>
    </message>
    <message>
        <source>The smallest-magnitude weights are set to zero and held there while a few epochs of fine-tuning recover the accuracy: Han et al.&apos;s before / after pruning / after retraining.</source>
        <translation>I pesi di modulo più piccolo vengono posti a zero e mantenuti tali mentre poche epoche di fine tuning recuperano l&apos;accuracy: il prima / dopo il pruning / dopo il retraining di Han et al.</translation>
    </message>
    <message>
        <source>Quantize the pruned CNN to 8 bits</source>
        <translation>Quantizzazione a 8 bit della CNN dopo il pruning</translation>
    </message>
    <message>
        <source>Weights rounded to ap_fixed&lt;8,I&gt;, the fixed-point format hls4ml uses on the FPGA. Accuracy should stay within a point of the float network.</source>
        <translation>Pesi arrotondati ad ap_fixed&lt;8,I&gt;, il formato fixed point che hls4ml usa sulla FPGA. L&apos;accuracy dovrebbe restare entro un punto da quella della rete float.</translation>
    </message>
    <message>
        <source>Post-training int8 with TFLite</source>
        <translation>int8 post-training con TFLite</translation>
    </message>
    <message>
        <source>8-bit integers with TFLite&apos;s scheme (per-channel scales, zero points), evaluated by the TFLite interpreter: real int8 inference. It is not what the U50&apos;s DPU computes; the next step is.</source>
        <translation>Interi a 8 bit con lo schema di TFLite (scale per canale, zero point), valutati dall&apos;interprete TFLite: vera inferenza int8. Non è ciò che calcola la DPU della U50; lo è il passo successivo.</translation>
    </message>
    <message>
        <source>8-bit for the DPU, compile, run on the U50</source>
        <translation>8 bit per la DPU, compilazione, esecuzione sulla U50</translation>
    </message>
    <message>
        <source>The pruned CNN is quantized the Vitis AI way (int8 with power-of-two scales, calibrated on digits), compiled for the U50&apos;s DPU and run there when a card is here; otherwise on emulator-dpu, which computes the same integers on this CPU and labels its speed &apos;emulated on CPU&apos;.</source>
        <translation>La CNN dopo il pruning viene quantizzata alla maniera di Vitis AI (int8 con scale potenze di due, calibrate sulle cifre), compilata per la DPU della U50 ed eseguita lì se la scheda è presente; altrimenti su emulator-dpu, che calcola gli stessi interi su questa CPU ed etichetta la sua velocità come &apos;emulato su CPU&apos;.</translation>
    </message>
    <message>
        <source>Hands-on 2 — the ATLAS Level-0 muon trigger</source>
        <extracomment>A few events of the generated data set, kept small for the data step&apos;s card. The trigger thresholds of the lesson [GeV] (ATLAS MU10: low-pT logic; MU20: high-pT). The classical trigger&apos;s windows keep this fraction of the muons of exactly the threshold&apos;s pT. The keyword arguments of :func:`core.train_jobs.distill_job` among a distillation&apos;s settings.</extracomment>
        <translation>Hands-on 2 — il trigger di muoni di livello 0 di ATLAS</translation>
    </message>
    <message>
        <source>Generate the muon data</source>
        <translation>Generazione dei dati di muoni</translation>
    </message>
    <message>
        <source>A seeded toy of the ATLAS barrel RPC trigger: muons of 3–50 GeV bend in the 0.5 T toroid and fire strips in six RPC layers. Each event is a 6×64 hit map; the targets are q/pT and η. The networks learn from the truth of a few thousand events only, as when truth is expensive.</source>
        <translation>Un modello giocattolo con seed del trigger RPC del barrel di ATLAS: muoni da 3–50 GeV curvano nel toroide da 0,5 T e accendono strip in sei layer RPC. Ogni evento è una mappa di hit 6×64; i target sono q/pT e η. Le reti imparano dalla verità di poche migliaia di eventi soltanto, come quando la verità è costosa.</translation>
    </message>
    <message>
        <source>Train the float teacher CNN</source>
        <translation>Training della CNN teacher float</translation>
    </message>
    <message>
        <source>A 130k-parameter float CNN learns q/pT from the labelled hit maps. It is too big for the trigger&apos;s latency budget, but it will teach a small network.</source>
        <translation>Una CNN float da 130k parametri impara q/pT dalle mappe di hit etichettate. È troppo grande per il budget di latenza del trigger, ma farà da teacher a una rete piccola.</translation>
    </message>
    <message>
        <source>Build quantized students</source>
        <translation>Costruzione degli student quantizzati</translation>
    </message>
    <message>
        <source>The 3.8k-parameter student is converted to QKeras: 4-bit weights and activations (8-bit weights in the output layer, whose steps would otherwise limit the q/pT resolution), and a ternary version ({-1, 0, +1}). Quantized this hard, a network loses accuracy.</source>
        <translation>Lo student da 3.8k parametri viene convertito in QKeras: pesi e attivazioni a 4 bit (pesi a 8 bit nel layer di output, i cui passi altrimenti limiterebbero la risoluzione su q/pT) e una versione ternaria ({-1, 0, +1}). Con una quantizzazione così spinta, una rete perde accuracy.</translation>
    </message>
    <message>
        <source>Train the 4-bit student alone</source>
        <translation>Training dello student a 4 bit da solo</translation>
    </message>
    <message>
        <source>Quantization-aware training on the labelled events only, for as many gradient steps as the distilled student will get: the reference distillation must beat.</source>
        <translation>Training quantization-aware sui soli eventi etichettati, per tanti passi di gradiente quanti ne avrà lo student distillato: il riferimento che la distillazione deve battere.</translation>
    </message>
    <message>
        <source>Distill it from the teacher</source>
        <translation>Distillazione dal teacher</translation>
    </message>
    <message>
        <source>The same student follows the teacher as well as the truth, and the teacher also labels events that have no truth (recorded data, in the experiment; here simulated muons whose truth is thrown away). Those extra events are what the student gains: on the labelled ones alone a regression student learns nothing the truth does not already tell it.</source>
        <translation>Lo stesso student segue il teacher oltre alla verità, e il teacher etichetta anche eventi che non hanno verità (nell&apos;esperimento, i dati registrati; qui muoni simulati di cui si scarta la verità). Sono questi eventi in più il guadagno dello student: sui soli eventi etichettati uno student di regressione non impara nulla che la verità non gli dica già.</translation>
    </message>
    <message>
        <source>Add the classical trigger</source>
        <translation>Aggiungi il trigger classico</translation>
    </message>
    <message>
        <source>The student with the better resolution goes to hls4ml: its QKeras quantizers fix the precisions, g++ builds the bit-accurate C simulation, and the firmware&apos;s own pT resolution and a resource estimate for the Alveo U50 appear in the Synthesis view. A Level-0 trigger takes an event every bunch crossing (25 ns); hls4ml&apos;s default computes the convolution&apos;s 30 positions one per clock cycle (150 ns: one crossing in six). So the student is synthesized with io_parallel, the Latency strategy, reuse factor 1 and the convolution unrolled (ParallelizationFactor 30): one event per cycle, for several times the LUTs (both estimates on the card).</source>
        <translation>Lo student con la risoluzione migliore va a hls4ml: i suoi quantizzatori QKeras fissano le precisioni, g++ compila la simulazione C esatta al bit, e la risoluzione in pT del firmware stesso e una stima delle risorse per l&apos;Alveo U50 compaiono nella vista Sintesi. Un trigger di Livello 0 accetta un evento a ogni bunch crossing (25 ns); di default hls4ml calcola le 30 posizioni della convoluzione una per ciclo di clock (150 ns: un crossing su sei). Perciò lo student viene sintetizzato con io_parallel, la strategia Latency, reuse factor 1 e la convoluzione srotolata (ParallelizationFactor 30): un evento per ciclo, al prezzo di parecchie volte le LUT (entrambe le stime sono sulla scheda).</translation>
    </message>
    <message>
        <source>Compare with the classical trigger</source>
        <translation>Confronta con il trigger classico</translation>
    </message>
    <message>
        <source>The trigger the networks are measured against: the ATLAS barrel coincidence-window logic on the same hit maps, with no network. A hit in the pivot plane (RPC2) opens a road in RPC1 and one in RPC3: 3 of the 4 layers of RPC1 and RPC2 and 1 of the 2 layers of RPC3 inside them fire the trigger (the high-pT logic: in this detector RPC1 alone bends too little to tell 10 GeV muons from 5 GeV ones). Each road is the narrowest that keeps 90 % of the muons of exactly the threshold&apos;s pT: the windows are tuned at the threshold.</source>
        <translation>Il trigger con cui si misurano le reti: la logica a finestre di coincidenza del barrel di ATLAS sulle stesse mappe di hit, senza rete. Un hit nel piano pivot (RPC2) apre una road in RPC1 e una in RPC3: 3 dei 4 layer di RPC1 e RPC2 e 1 dei 2 layer di RPC3 al loro interno fanno scattare il trigger (la logica di alto pT: in questo rivelatore la curvatura in RPC1 da sola è troppo piccola per distinguere muoni da 10 GeV da quelli da 5 GeV). Ogni road è la più stretta che conserva il 90 % dei muoni con pT esattamente uguale alla soglia: le finestre sono tarate alla soglia.</translation>
    </message>
    <message>
        <source>Turn-on curves at the 10 and 20 GeV thresholds fitted with an error function (plateau efficiency, pT50 and pT90 with their errors) and the pT resolution against the strip-fit limit, for the teacher, the student alone, the distilled student and the classical trigger. The figure of merit is the rate relative to the classical trigger at equal efficiency: each network&apos;s cut is moved until it keeps as many muons above the threshold as the classical trigger, and its rate on a falling muon spectrum is divided by the classical one. Below 1, the network cuts the rate at no cost in efficiency.</source>
        <translation>Curve di turn-on alle soglie di 10 e 20 GeV fittate con una funzione errore (efficienza di plateau, pT50 e pT90 con i loro errori) e la risoluzione in pT confrontata con il limite del fit delle strip, per il teacher, lo student da solo, lo student distillato e il trigger classico. La figura di merito è il rate relativo al trigger classico a pari efficienza: il taglio di ogni rete viene spostato finché conserva tanti muoni sopra soglia quanti il trigger classico, e il suo rate su uno spettro di muoni decrescente viene diviso per quello classico. Sotto 1, la rete riduce il rate senza perdere efficienza.</translation>
    </message>
    <message>
        <source>Send the best student to synthesis</source>
        <translation>Invio del migliore student alla sintesi</translation>
    </message>
    <message>
        <source>Run the student on the U50</source>
        <translation>Esecuzione dello student sulla U50</translation>
    </message>
    <message>
        <source>The synthesized student becomes an XRT kernel (a batch loop around the hls4ml network) and runs on the Alveo U50 when one is here; otherwise on emulator-hls, the same kernel C++ compiled for this CPU, whose speed is labelled &apos;emulated on CPU&apos;. Its outputs must equal the C simulation bit for bit; its turn-on curves join the Physics view.</source>
        <translation>Lo student sintetizzato diventa un kernel XRT (un loop sui batch attorno alla rete hls4ml) e gira sull&apos;Alveo U50 se la scheda è presente; altrimenti su emulator-hls, lo stesso C++ del kernel compilato per questa CPU, la cui velocità è etichettata &apos;emulato su CPU&apos;. Le sue uscite devono coincidere bit per bit con la simulazione C; le sue curve di turn-on si aggiungono alla vista Fisica.</translation>
    </message>
    <message>
        <source>{0}: robust pT resolution {1}, rate at 20 GeV {2} × classical</source>
        <translation>{0}: risoluzione robusta in pT {1}, rate a 20 GeV {2} × classico</translation>
    </message>
    <message>
        <source>{0}: robust pT resolution {1}</source>
        <translation>{0}: risoluzione robusta in pT {1}</translation>
    </message>
    <message>
        <source>{0} teacher-labelled events added</source>
        <translation>aggiunti {0} eventi etichettati dal teacher</translation>
    </message>
    <message>
        <source>C simulation: robust pT resolution {0} (Keras {1})</source>
        <translation>Simulazione C: risoluzione robusta in pT {0} (Keras {1})</translation>
    </message>
    <message>
        <source>latency ≈ {0} ns (estimate)</source>
        <translation>latenza ≈ {0} ns (stima)</translation>
    </message>
    <message>
        <source>accepts an event every bunch crossing: II {0} ns = {1} BX, latency {2} ns = {3} BX (estimate)</source>
        <translation>accetta un evento a ogni bunch crossing: II {0} ns = {1} BX, latenza {2} ns = {3} BX (stima)</translation>
    </message>
    <message>
        <source>does NOT accept every bunch crossing: II {0} ns = {1} BX, latency {2} ns = {3} BX (estimate)</source>
        <translation>NON accetta un evento a ogni bunch crossing: II {0} ns = {1} BX, latenza {2} ns = {3} BX (stima)</translation>
    </message>
    <message>
        <source>cost: LUT {0} (default settings {1}), FF {2} ({3}), DSP {4} ({5}); the default takes an event every {7} crossings (II {6} ns)</source>
        <translation>costo: LUT {0} (impostazioni predefinite {1}), FF {2} ({3}), DSP {4} ({5}); quella predefinita accetta un evento ogni {7} crossing (II {6} ns)</translation>
    </message>
    <message>
        <source>{0}: {1} events/s, p99 batch latency {2} ms (emulated on CPU)</source>
        <translation>{0}: {1} eventi/s, latenza p99 per batch {2} ms (emulato su CPU)</translation>
    </message>
    <message>
        <source>{0}: {1} events/s, p99 batch latency {2} ms ({3})</source>
        <translation>{0}: {1} eventi/s, latenza p99 per batch {2} ms ({3})</translation>
    </message>
    <message>
        <source>accuracy {0} (Keras float {1})</source>
        <translation>accuracy {0} (Keras float {1})</translation>
    </message>
    <message>
        <source>robust pT resolution {0}</source>
        <translation>risoluzione robusta in pT {0}</translation>
    </message>
    <message>
        <source>bit for bit equal to the C simulation on {0} of events</source>
        <translation>identica bit per bit alla simulazione C su {0} degli eventi</translation>
    </message>
</context>
<context>
    <name>WalkthroughPanel</name>
    <message>
        <source>Reset…</source>
        <extracomment>A step&apos;s job was submitted: (step key, its app.jobs.Job, its view request). A step&apos;s job ended: (step key, &quot;done&quot; / &quot;failed&quot; / &quot;cancelled&quot;, its view request after the run).</extracomment>
        <translation>Azzera…</translation>
    </message>
    <message>
        <source>Back to the start: delete what the walkthrough made in this workspace, for the next class</source>
        <translation>Torna all&apos;inizio: elimina ciò che l&apos;esercitazione ha creato in questo workspace, per la prossima lezione</translation>
    </message>
    <message>
        <source>Open the walkthrough&apos;s workspace (Walkthroughs menu) to start.</source>
        <translation>Apri il workspace dell&apos;esercitazione (menu Esercitazioni) per iniziare.</translation>
    </message>
    <message>
        <source>Workspace &lt;b&gt;{0}&lt;/b&gt;.</source>
        <translation>Workspace &lt;b&gt;{0}&lt;/b&gt;.</translation>
    </message>
    <message>
        <source>Next: &lt;b&gt;{0}&lt;/b&gt;.</source>
        <translation>Prossimo passo: &lt;b&gt;{0}&lt;/b&gt;.</translation>
    </message>
    <message>
        <source>All steps done.</source>
        <translation>Tutti i passi completati.</translation>
    </message>
    <message>
        <source>Run again…</source>
        <translation>Riesegui…</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Esegui</translation>
    </message>
    <message>
        <source>Open the walkthrough&apos;s workspace first</source>
        <translation>Apri prima il workspace dell&apos;esercitazione</translation>
    </message>
    <message>
        <source>Run step “{0}” first</source>
        <translation>Esegui prima il passo “{0}”</translation>
    </message>
    <message>
        <source>Run this step again and replace its result</source>
        <translation>Esegui di nuovo questo passo e sostituisci il suo risultato</translation>
    </message>
    <message>
        <source>Step “{0}” is done. Run it again and replace its result?</source>
        <translation>Il passo “{0}” è completato. Eseguirlo di nuovo e sostituirne il risultato?</translation>
    </message>
    <message>
        <source>These later steps build on it and will have to run again: {0}.</source>
        <translation>Questi passi successivi si basano su di esso e andranno rieseguiti: {0}.</translation>
    </message>
    <message>
        <source>Replace the step&apos;s result?</source>
        <translation>Sostituire il risultato del passo?</translation>
    </message>
    <message>
        <source>cancelled by the user</source>
        <translation>annullato dall&apos;utente</translation>
    </message>
    <message>
        <source>Reset the walkthrough</source>
        <translation>Azzera l&apos;esercitazione</translation>
    </message>
    <message>
        <source>Delete every variant this walkthrough made in the workspace?</source>
        <translation>Eliminare tutte le varianti create da questa esercitazione nel workspace?</translation>
    </message>
</context>
<context>
    <name>WeightsGrid</name>
    <message>
        <source>{0} non-zero</source>
        <translation>{0} non nulli</translation>
    </message>
    <message>
        <source>zeros</source>
        <translation>zeri</translation>
    </message>
    <message>
        <source>x: weight value, y: weights per bin (log)</source>
        <translation>x: valore del peso, y: pesi per bin (log)</translation>
    </message>
    <message>
        <source>x: weight value, y: weights per bin</source>
        <translation>x: valore del peso, y: pesi per bin</translation>
    </message>
    <message>
        <source>click a plot to select its layer, double-click to open it</source>
        <translation>clic su un grafico per selezionarne il layer, doppio clic per aprirlo</translation>
    </message>
    <message>
        <source>{0} zeros</source>
        <translation>{0} zeri</translation>
    </message>
</context>
<context>
    <name>WeightsSide</name>
    <message>
        <source>zeros (sparsity)</source>
        <translation>zeri (sparsità)</translation>
    </message>
    <message>
        <source>W: total bits, sign included</source>
        <translation>W: bit totali, segno incluso</translation>
    </message>
    <message>
        <source>I: bits left of the binary point, sign included</source>
        <translation>I: bit a sinistra della virgola binaria, segno incluso</translation>
    </message>
    <message>
        <source>TRN floors (ap_fixed&apos;s default), RND rounds to nearest</source>
        <translation>TRN tronca verso il basso (default di ap_fixed), RND arrotonda al più vicino</translation>
    </message>
    <message>
        <source>WRAP wraps around (ap_fixed&apos;s default), SAT clips to the range</source>
        <translation>WRAP ricomincia dall&apos;altro estremo (default di ap_fixed), SAT satura ai limiti dell&apos;intervallo</translation>
    </message>
    <message>
        <source>Fixed point, as hls4ml stores weights</source>
        <translation>Virgola fissa, come hls4ml memorizza i pesi</translation>
    </message>
    <message>
        <source>Rounding, overflow</source>
        <translation>Arrotondamento, overflow</translation>
    </message>
    <message>
        <source>step 2&lt;sup&gt;{0}&lt;/sup&gt; = {1}, range [{2}, {3}]</source>
        <translation>passo 2&lt;sup&gt;{0}&lt;/sup&gt; = {1}, intervallo [{2}, {3}]</translation>
    </message>
    <message>
        <source>{0} of these weights representable ({1} overflow, {2} flushed to 0).</source>
        <translation>{0} di questi pesi rappresentabili ({1} in overflow, {2} portati a 0).</translation>
    </message>
    <message>
        <source>Red: overflow zones; grey band: values that become 0.</source>
        <translation>Rosso: zone di overflow; banda grigia: valori che diventano 0.</translation>
    </message>
    <message>
        <source>{0} LSB</source>
        <translation>{0} LSB</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>pesi</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>media</translation>
    </message>
    <message>
        <source>std</source>
        <translation>dev. std</translation>
    </message>
    <message>
        <source>rms</source>
        <translation>rms</translation>
    </message>
    <message>
        <source>min</source>
        <translation>min</translation>
    </message>
    <message>
        <source>max</source>
        <translation>max</translation>
    </message>
    <message>
        <source>max |w|</source>
        <translation>max |w|</translation>
    </message>
    <message>
        <source>representable</source>
        <translation>rappresentabili</translation>
    </message>
    <message>
        <source>overflow</source>
        <translation>overflow</translation>
    </message>
    <message>
        <source>flushed to 0</source>
        <translation>portati a 0</translation>
    </message>
    <message>
        <source>rms error</source>
        <translation>errore rms</translation>
    </message>
    <message>
        <source>max error</source>
        <translation>errore max</translation>
    </message>
</context>
<context>
    <name>WeightsView</name>
    <message>
        <source>— none —</source>
        <translation>— nessuna —</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Layer</translation>
    </message>
    <message>
        <source>All layers</source>
        <translation>Tutti i layer</translation>
    </message>
    <message>
        <source>The layer shown (selecting it here selects it in every view)</source>
        <translation>Il layer mostrato (selezionarlo qui lo seleziona in ogni vista)</translation>
    </message>
    <message>
        <source>Which of the layer&apos;s weights to histogram</source>
        <translation>Quali pesi del layer mostrare nell&apos;istogramma</translation>
    </message>
    <message>
        <source>Overlay the same layer of another variant, on the same bins</source>
        <translation>Sovrapponi lo stesso layer di un&apos;altra variante, con gli stessi bin</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>auto</translation>
    </message>
    <message>
        <source>Number of bins (auto: 2·n^(1/3), between 10 and 200)</source>
        <translation>Numero di bin (auto: 2·n^(1/3), tra 10 e 200)</translation>
    </message>
    <message>
        <source>Log counts</source>
        <translation>Conteggi log</translation>
    </message>
    <message>
        <source>Logarithmic count axis: small tails and the zero spike at once</source>
        <translation>Asse dei conteggi logaritmico: code piccole e picco in zero insieme</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Pesi</translation>
    </message>
    <message>
        <source>Compare with</source>
        <translation>Confronta con</translation>
    </message>
    <message>
        <source>Bins</source>
        <translation>Bin</translation>
    </message>
    <message>
        <source>weights per bin</source>
        <translation>pesi per bin</translation>
    </message>
    <message>
        <source>all weights</source>
        <translation>tutti i pesi</translation>
    </message>
    <message>
        <source>Cannot compare with {0}: {1}</source>
        <translation>Impossibile confrontare con {0}: {1}</translation>
    </message>
    <message>
        <source>{0} has no layer matching &apos;{1}&apos;: nothing to overlay.</source>
        <translation>{0} non ha un layer corrispondente a &apos;{1}&apos;: niente da sovrapporre.</translation>
    </message>
    <message>
        <source>{0}: non-zero ({1})</source>
        <translation>{0}: non nulli ({1})</translation>
    </message>
    <message>
        <source>{0}: zeros ({1})</source>
        <translation>{0}: zeri ({1})</translation>
    </message>
    <message>
        <source>bin width {0}</source>
        <translation>larghezza bin {0}</translation>
    </message>
    <message>
        <source>weight value</source>
        <translation>valore del peso</translation>
    </message>
    <message>
        <source>{0} value</source>
        <translation>valore di {0}</translation>
    </message>
    <message>
        <source>weights per bin (log scale)</source>
        <translation>pesi per bin (scala log)</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Nessun modello caricato</translation>
    </message>
    <message>
        <source>{0} has no weights</source>
        <translation>{0} non ha pesi</translation>
    </message>
    <message>
        <source>Layer &apos;{0}&apos; has no weights</source>
        <translation>Il layer &apos;{0}&apos; non ha pesi</translation>
    </message>
    <message>
        <source>No layer selected</source>
        <translation>Nessun layer selezionato</translation>
    </message>
    <message>
        <source>outside {0} (overflow)</source>
        <translation>fuori da {0} (overflow)</translation>
    </message>
</context>
<context>
    <name>WhereBox</name>
    <message>
        <source>This machine</source>
        <extracomment>Where-to-run key (core.sweep.clusters) -&gt; its menu text.</extracomment>
        <translation>Questa macchina</translation>
    </message>
    <message>
        <source>Dask cluster address</source>
        <translation>Indirizzo del cluster Dask</translation>
    </message>
    <message>
        <source>Batch system file (dask-jobqueue YAML)</source>
        <translation>File del sistema batch (YAML di dask-jobqueue)</translation>
    </message>
    <message>
        <source>Where</source>
        <extracomment>Settings keys (QSettings) of the remembered place to run.</extracomment>
        <translation>Dove</translation>
    </message>
    <message>
        <source>Dask worker processes on this machine (one point each at a time)</source>
        <translation>Processi worker Dask su questa macchina (un punto alla volta ciascuno)</translation>
    </message>
    <message>
        <source>The address of a running Dask scheduler</source>
        <translation>L&apos;indirizzo di uno scheduler Dask in esecuzione</translation>
    </message>
    <message>
        <source>A dask-jobqueue YAML file (SLURM, HTCondor, PBS or LSF) with its standard keys</source>
        <translation>Un file YAML di dask-jobqueue (SLURM, HTCondor, PBS o LSF) con le sue chiavi standard</translation>
    </message>
    <message>
        <source>Choose the YAML file</source>
        <translation>Scegli il file YAML</translation>
    </message>
    <message>
        <source>Show job script</source>
        <translation>Mostra lo script del job</translation>
    </message>
    <message>
        <source>The batch job script this file makes (nothing is submitted)</source>
        <translation>Lo script batch che questo file produce (non viene inviato nulla)</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>Worker</translation>
    </message>
    <message>
        <source>Give the Dask scheduler&apos;s address, e.g. tcp://host:8786</source>
        <translation>Indica l&apos;indirizzo dello scheduler Dask, ad es. tcp://host:8786</translation>
    </message>
    <message>
        <source>Choose the dask-jobqueue YAML file of your batch system</source>
        <translation>Scegli il file YAML di dask-jobqueue del tuo sistema batch</translation>
    </message>
    <message>
        <source>dask-jobqueue configuration</source>
        <translation>Configurazione di dask-jobqueue</translation>
    </message>
    <message>
        <source>YAML files (*.yaml *.yml);;All files (*)</source>
        <translation>File YAML (*.yaml *.yml);;Tutti i file (*)</translation>
    </message>
    <message>
        <source>Job script of {0}</source>
        <translation>Script del job di {0}</translation>
    </message>
</context>
<context>
    <name>_StepCard</name>
    <message>
        <source>Run</source>
        <extracomment>Job status (app.jobs) -&gt; card status.</extracomment>
        <translation>Esegui</translation>
    </message>
    <message>
        <source>Hit map: {0} RPC layers (rows) × {1} strips; the muon&apos;s pT and charge on the right</source>
        <translation>Mappa di hit: {0} layer RPC (righe) × {1} strip; pT e carica del muone a destra</translation>
    </message>
    <message>
        <source>{0} GeV μ{1}</source>
        <translation>{0} GeV μ{1}</translation>
    </message>
</context>
</TS>
