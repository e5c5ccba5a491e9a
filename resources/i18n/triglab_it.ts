<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="it_IT">
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
        <translation>kernel XRT di hls4ml + programma host, compilati con g++ su questa CPU (bit-exact con la C simulation)</translation>
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
        <translation>Compila lo stesso C++ del kernel per emulator-hls e per la C simulation di hls4ml.</translation>
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
        <translation>C simulation</translation>
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
        <translation>Percorso guidato</translation>
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
        <source>&amp;View</source>
        <translation>&amp;Visualizza</translation>
    </message>
    <message>
        <source>&amp;Walkthroughs</source>
        <translation>&amp;Percorsi guidati</translation>
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
        <source>About TrigLab</source>
        <translation>Informazioni su TrigLab</translation>
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
        <source>From a Keras model to a real-time trigger.</source>
        <translation>Da un modello Keras a un trigger in tempo reale.</translation>
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
        <source>Latency (cycles)</source>
        <translation>Latenza (cicli)</translation>
    </message>
    <message>
        <source>Latency (ns)</source>
        <translation>Latenza (ns)</translation>
    </message>
    <message>
        <source>Initiation interval (cycles)</source>
        <translation>Initiation interval (cicli)</translation>
    </message>
    <message>
        <source>Clock period (ns)</source>
        <translation>Periodo di clock (ns)</translation>
    </message>
    <message>
        <source>Does not fit the U50:</source>
        <translation>Non entra nella U50:</translation>
    </message>
    <message>
        <source>{0}. Raise the reuse factor, use the Resource strategy, or fewer bits.</source>
        <translation>{0}. Aumenta il reuse factor, usa la strategia Resource o meno bit.</translation>
    </message>
    <message>
        <source>fraction of the Alveo U50&apos;s resources (%)</source>
        <translation>frazione delle risorse dell&apos;Alveo U50 (%)</translation>
    </message>
    <message>
        <source>U50 full</source>
        <translation>U50 piena</translation>
    </message>
    <message>
        <source>U50 capacity</source>
        <translation>capacità U50</translation>
    </message>
    <message>
        <source>No resource numbers yet.</source>
        <translation>Ancora nessun dato sulle risorse.</translation>
    </message>
    <message>
        <source>Resources and latency on the Alveo U50</source>
        <translation>Risorse e latenza sull&apos;Alveo U50</translation>
    </message>
    <message>
        <source>(no vendor report: build, or import one)</source>
        <translation>(nessun report del tool AMD: fai la build o importane uno)</translation>
    </message>
    <message>
        <source>The estimate is an analytic model of the converted network (multipliers by bit width, reuse factor, layer depth), not a synthesis result; a vendor report is what the HLS tool computed.</source>
        <translation>La stima è un modello analitico della rete convertita (moltiplicatori per numero di bit, reuse factor, profondità dei layer), non un risultato di sintesi; il report del tool AMD è ciò che ha calcolato lo strumento HLS.</translation>
    </message>
</context>
</TS>
