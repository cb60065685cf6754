"""Model.run on the fixture checkpoints against `textchem run --format json`, its errors, and
concurrent use from several threads."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import textchem
from gil import longest_stall

INPUTS = {
    "forward": ["CCO.CC(=O)O", "c1ccccc1Br.OB(O)c1ccccc1", "CC(C)Cc1ccc(cc1)C(C)C(=O)O"],
    "caption": ["CCO", "CC(=O)Oc1ccccc1C(=O)O"],
    "molecule": ["The molecule is an alcohol."],
}
MAX_LENGTH = 24


@pytest.fixture(scope="module")
def models(model_dirs):
    return {name: textchem.Model(str(path), device="cpu") for name, path in model_dirs.items()}


def cli_results(textchem_cli, model_dir, task, text, beams):
    out = textchem_cli(
        "run", "--task", task, "--model", model_dir, "--device", "cpu",
        "--beams", beams, "--max-length", MAX_LENGTH, "--format", "json", text,
    )
    return json.loads(out)["results"]


@pytest.mark.parametrize("name", ["t5-tiny-a", "t5-tiny-b"])
@pytest.mark.parametrize("beams", [1, 5])
@pytest.mark.parametrize("task", sorted(INPUTS))
def test_run_equals_the_cli_json(textchem_cli, model_dirs, models, name, beams, task):
    inputs = INPUTS[task]
    ours = models[name].run(task, inputs, beams=beams, max_length=MAX_LENGTH)
    assert len(ours) == len(inputs)
    for text, answers in zip(inputs, ours):
        assert len(answers) == beams
        assert answers == cli_results(textchem_cli, model_dirs[name], task, text, beams)


def test_answers_have_the_json_fields(models):
    (answers,) = models["t5-tiny-a"].run("forward", ["CCO"], beams=2, max_length=MAX_LENGTH)
    assert [a["rank"] for a in answers] == [1, 2]
    for a in answers:
        assert set(a) == {"rank", "text", "score", "valid", "canonical_smiles", "error"}
        assert isinstance(a["score"], float) and isinstance(a["valid"], bool)
    (caption,) = models["t5-tiny-a"].run("caption", ["CCO"], beams=1, max_length=MAX_LENGTH)
    assert caption[0]["valid"] is None and caption[0]["canonical_smiles"] is None


def test_bad_input_raises(models, model_dirs, tmp_path):
    model = models["t5-tiny-a"]
    with pytest.raises(ValueError, match="unknown task"):
        model.run("translate", ["CCO"])
    with pytest.raises(ValueError, match="beams"):
        model.run("forward", ["CCO"], beams=0)
    with pytest.raises(ValueError, match="max_length"):
        model.run("forward", ["CCO"], max_length=1)
    with pytest.raises(ValueError, match="input 1 is empty"):
        model.run("forward", ["CCO", "  "])
    with pytest.raises(OverflowError):
        model.run("forward", ["CCO"], beams=-1)
    with pytest.raises(TypeError):
        model.run("forward", "CCO")
    too_long = " ".join(str(i) for i in range(3000))
    with pytest.raises(ValueError, match="input 1: .*at most 512"):
        model.run("caption", ["CCO", too_long], beams=1, max_length=MAX_LENGTH)
    # best() reports it in its row instead, as `textchem batch` does.
    rows = model.best("caption", ["CCO", too_long, ""], beams=1, max_length=MAX_LENGTH)
    assert rows[0]["error"] == "" and rows[0]["output"]
    assert "at most 512" in rows[1]["error"] and rows[1]["output"] == ""
    assert rows[2]["error"]
    with pytest.raises(ValueError, match="neither a folder nor a hub id"):
        textchem.Model(str(tmp_path / "nowhere"), device="cpu")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    with pytest.raises(ValueError):
        textchem.Model(str(broken), device="cpu")
    with pytest.raises(ValueError, match="device"):
        textchem.Model(str(model_dirs["t5-tiny-a"]), device="tpu")
    # The model still answers after the errors.
    assert model.run("forward", ["CCO"], beams=1, max_length=MAX_LENGTH)[0][0]["rank"] == 1


def test_four_threads_get_the_answers_one_thread_gets(models):
    model = models["t5-tiny-b"]
    inputs = INPUTS["forward"] + INPUTS["caption"]
    tasks = ["forward"] * 3 + ["caption"] * 2
    alone = [model.run(t, [x], beams=3, max_length=MAX_LENGTH) for t, x in zip(tasks, inputs)]
    jobs = [(t, x) for t, x in zip(tasks, inputs)] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(
            pool.map(lambda job: model.run(job[0], [job[1]], beams=3, max_length=MAX_LENGTH), jobs)
        )
    assert together == alone * 4


def test_run_releases_the_gil_while_it_decodes(models):
    model = models["t5-tiny-a"]
    took, stall = longest_stall(
        lambda: model.run("forward", INPUTS["forward"] * 4, beams=5, max_length=MAX_LENGTH)
    )
    assert stall < 0.5 * took, (took, stall)
