import json

import numpy as np
import pytest

from core.workspace import MANIFEST, Workspace, WorkspaceError


@pytest.fixture
def tiny_model():
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    return tf.keras.Sequential(
        [
            tf.keras.layers.Input(shape=(4,)),
            tf.keras.layers.Dense(3, name="d1"),
            tf.keras.layers.Dense(2, name="d2"),
        ]
    )


def test_roundtrip_restores_variants_lineage_and_metrics(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    a = ws.add_variant(tiny_model, "base", operation="zoo", metrics={"val_accuracy": 0.5, "params": 23})
    b = ws.add_variant(tiny_model, "pruned", parent=a.name, operation="prune", params={"sparsity": 0.5})
    ws.ui["selected_variant"] = b.name
    ws.save()

    again = Workspace.open(tmp_path / "ws")
    assert list(again.variants) == ["base", "pruned"]
    assert again["pruned"].parent == "base"
    assert again["pruned"].params == {"sparsity": 0.5}
    assert again["base"].metrics == {"val_accuracy": 0.5, "params": 23}
    assert again.ui["selected_variant"] == "pruned"
    assert [v.name for v in again.lineage("pruned")] == ["base", "pruned"]
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(
        again.load_model("pruned").predict(x, verbose=0), tiny_model.predict(x, verbose=0), rtol=1e-6
    )


def test_names_are_made_unique_and_files_never_overwritten(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    v1 = ws.add_variant(tiny_model, "m")
    v2 = ws.add_variant(tiny_model, "m")
    assert (v1.name, v2.name) == ("m", "m-2")
    assert v1.file != v2.file and (ws.root / v1.file).exists() and (ws.root / v2.file).exists()


def test_rename_and_delete_keep_lineage(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    ws.add_variant(tiny_model, "a")
    ws.add_variant(tiny_model, "b", parent="a")
    ws.add_variant(tiny_model, "c", parent="b")
    ws.rename("b", "b2")
    assert ws["c"].parent == "b2"
    f = ws.root / ws["b2"].file
    ws.delete("b2")
    assert not f.exists()
    assert ws["c"].parent == "a"
    again = Workspace.open(ws.root)
    assert set(again.variants) == {"a", "c"} and again["c"].parent == "a"
    with pytest.raises(WorkspaceError):
        ws.rename("a", "c")
    with pytest.raises(WorkspaceError):
        ws.rename("a", "bad/name")


def test_manifest_written_atomically_and_valid_json(tmp_path, tiny_model):
    ws = Workspace.create(tmp_path / "ws")
    ws.add_variant(tiny_model, "a", metrics={"x": np.float32(1.5)})
    data = json.loads((ws.root / MANIFEST).read_text())
    assert data["schema"] == 1 and data["variants"][0]["metrics"]["x"] == 1.5
    assert not [p for p in ws.root.iterdir() if p.name.endswith(".tmp")]


def test_bad_workspaces_are_clear_errors(tmp_path):
    with pytest.raises(WorkspaceError, match="not a TrigLab workspace"):
        Workspace.open(tmp_path)
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(WorkspaceError, match="Cannot read"):
        Workspace.open(tmp_path)
    (tmp_path / MANIFEST).write_text(json.dumps({"app": "triglab", "schema": 99}))
    with pytest.raises(WorkspaceError, match="newer TrigLab"):
        Workspace.open(tmp_path)
    with pytest.raises(WorkspaceError, match="No variant"):
        Workspace.create(tmp_path / "fresh")["missing"]
