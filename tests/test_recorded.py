"""seqlab.recorded: the figures a walkthrough's text cites, shown beside the recorded full-mode run,
recorded by `make results`, and a claim that no longer holds fails that run."""

import json
import os

import nbformat

from seqlab import recorded


def test_a_figure_is_shown_beside_the_recorded_one_and_recorded_only_in_a_results_run(
        tmp_path, monkeypatch, capsys):
    figures = tmp_path / "figures.json"
    figures.write_text(json.dumps({"units": {"03_bptt": {"values": {"seeds solved": 9},
                                                         "totals": {"seeds solved": 10},
                                                         "claims": {"clipping helps": True}}}}))
    monkeypatch.setattr(recorded, "FIGURES", figures)
    monkeypatch.setenv("SEQLAB_FAST", "1")
    monkeypatch.delenv(recorded.RECORD_ENV, raising=False)
    assert recorded.figure("03_bptt", "seeds solved", 3, of=4) == 3
    assert not recorded.claim("03_bptt", "clipping helps", False)
    recorded.claim("03_bptt", "rho^k is exact", True, same_in_fast_mode=True)
    out = capsys.readouterr().out
    assert "claim: rho^k is exact -- holds in this run\n" in out
    assert "seeds solved: 3 of 4, this run (fast mode" in out
    assert "recorded full-mode run: 9 of 10" in out
    assert "does NOT hold in this run (fast mode" in out and "holds in the recorded full-mode run" in out
    assert recorded.load(figures)["03_bptt"].values == {"seeds solved": 9}  # nothing written

    scratch = tmp_path / "scratch.json"
    monkeypatch.setenv(recorded.RECORD_ENV, str(scratch))
    recorded.figure("06_attention", "exact match", 0.5)
    recorded.claim("06_attention", "attention helps", True)
    recorded.figure("06_attention", "steps to solve", float("nan"))  # nothing solved: JSON null
    assert json.loads(scratch.read_text())  # valid JSON
    assert recorded.load(scratch)["06_attention"].values == {"exact match": 0.5, "steps to solve": None}
    assert recorded.load(scratch)["06_attention"].claims == {"attention helps": True}


def test_a_results_run_records_what_the_notebooks_measure(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from seqlab.config import fast_mode\nfrom seqlab.recorded import claim, figure\n"
        "figure('99_demo', 'fast', int(fast_mode()))\nclaim('99_demo', 'one is less than two', 1 < 2)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, str(path))
    monkeypatch.setenv("SEQLAB_FAST", "1")
    scratch = tmp_path / "scratch.json"
    monkeypatch.delenv(recorded.RECORD_ENV, raising=False)
    seconds = recorded.run_walkthroughs([path], scratch)
    assert set(seconds) == {"99_demo"}
    assert recorded.RECORD_ENV not in os.environ and os.environ["SEQLAB_FAST"] == "1"  # restored
    unit = recorded.load(scratch)["99_demo"]
    assert unit.values == {"fast": 0} and unit.claims == {"one is less than two": True}  # full mode
