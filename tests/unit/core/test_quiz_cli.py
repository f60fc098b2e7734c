"""`learnbot quiz import`, `items calibrate`, `items stats` and `exemptions`, as admins run them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conversations.quiz_helpers import FIXTURES

BAD_BANK = """\
items:
  - id: ok-1
    competency: sql
    question: Which keyword sorts rows?
    options:
      - text: ORDER BY
        correct: true
      - GROUP BY
  - id: no-key
    competency: sql
    question: Which keyword removes duplicates?
    options: [DISTINCT, UNIQUE]
  - id: missing-option
    competency: sql
    question: Which are joins?
    type: multiple
    options: [LEFT, RIGHT]
    answer: [a, d]
  - id: ok-1
    competency: sql
    question: A second item with the first one's id
    answer: true
  - id: wrong-topic
    competency: cooking
    question: Is basil a herb?
    answer: true
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from bot.cli import app
    from bot.cli.groups import register

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("LEARNBOT_COACH", raising=False)
    monkeypatch.setenv("LEARNBOT_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    register(app)
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        return result.exit_code, result.stdout, result.stderr

    code, _, err = run("framework", "import", str(FIXTURES / "framework.yaml"))
    assert code == 0, err
    return run


def _services():  # type: ignore[no-untyped-def]
    from bot.app import build_app
    from bot.settings import Settings

    return build_app(Settings(_env_file=None)).services


def test_import_prints_the_json_contract(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("quiz", "import", str(FIXTURES / "bank.yaml"), "--json")
    assert code == 0
    assert json.loads(out) == {"imported": 10, "skipped": [], "errors": []}
    assert _services().items.competencies() == {"security": 5, "sql": 5}


def test_a_file_with_errors_imports_nothing_and_names_the_lines(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bank = tmp_path / "bad.yaml"
    bank.write_text(BAD_BANK)
    code, out, _ = cli("quiz", "import", str(bank), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["imported"] == 0
    assert set(report) == {"imported", "skipped", "errors"}
    by_line = {e["line"]: e["message"] for e in report["errors"]}
    assert "no correct answer" in by_line[9]
    assert any("'d'" in m for m in by_line.values()), "an answer letter naming a missing option"
    assert any("duplicate id 'ok-1'" in m for m in by_line.values())
    assert any("unknown competency 'cooking'" in m for m in by_line.values())
    assert _services().items.competencies() == {}, "nothing half-imported"

    code, out, _ = cli("quiz", "import", str(bank), "--skip-invalid", "--json")
    assert code == 0
    assert json.loads(out)["imported"] == 1
    assert [i.id for i in _services().items.bank()] == ["ok-1"]


def test_text_output_explains_a_refused_import(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bank = tmp_path / "bad.yaml"
    bank.write_text(BAD_BANK)
    code, out, err = cli("quiz", "import", str(bank))
    assert code == 1
    assert "line 9: error: no correct answer" in err
    assert "Nothing was imported" in out


def test_unsupported_question_types_are_skipped_and_reported(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gift = tmp_path / "mixed.gift"
    gift.write_text(
        "$CATEGORY: sql\n\n::Sorting:: Which keyword sorts rows? {=ORDER BY ~GROUP BY}\n\n"
        "::Essay:: Explain normalisation. {}\n"
    )
    code, out, _ = cli("quiz", "import", str(gift), "--json")
    report = json.loads(out)
    assert code == 0, report
    assert report["imported"] == 1
    [skipped] = report["skipped"]
    assert skipped["line"] == 5
    assert "essay" in skipped["reason"].lower()


def test_unknown_formats_and_missing_files_are_errors(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    odd = tmp_path / "bank.docx"
    odd.write_text("whatever")
    code, out, _ = cli("quiz", "import", str(odd), "--json")
    assert code == 1
    [error] = json.loads(out)["errors"]
    assert error["line"] == 0
    assert ".gift" in error["message"]
    code, out, _ = cli("quiz", "import", str(tmp_path / "nope.yaml"), "--json")
    assert code == 1
    assert "no such file" in json.loads(out)["errors"][0]["message"]
    code, out, err = cli("quiz", "import", str(tmp_path / "nope.yaml"))
    assert code == 1
    assert "no such file" in err
    assert "--skip-invalid" not in out + err, "skipping items cannot help a missing file"


def test_an_id_taken_by_another_file_is_an_error(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cli("quiz", "import", str(FIXTURES / "bank.yaml"))
    other = tmp_path / "other.yaml"
    other.write_text(
        "items:\n  - id: sql-where\n    competency: sql\n    question: Q?\n    answer: true\n"
    )
    code, out, _ = cli("quiz", "import", str(other), "--json")
    assert code == 1
    assert "already used by an item from bank.yaml" in json.loads(out)["errors"][0]["message"]
    code, out, _ = cli("quiz", "import", str(FIXTURES / "bank.yaml"), "--json")
    assert (code, json.loads(out)["imported"]) == (0, 10), "re-importing the same file updates it"


def test_the_public_moodle_csv_banks_import_and_their_shared_ids_clash(cli, quiz_banks_dir) -> None:  # type: ignore[no-untyped-def]
    services = _services()
    services.framework.replace(type(services.framework.get())((), ()))
    folder = quiz_banks_dir / "moodle-csv"
    code, out, _ = cli("quiz", "import", str(folder / "extended_sample.csv"), "--json")
    assert code == 0
    assert json.loads(out)["imported"] > 0
    # Both files number their questions Question1, Question2, ...: one bank can't hold both.
    code, out, _ = cli("quiz", "import", str(folder / "sample.csv"), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["imported"] == 0
    assert "already used by an item from extended_sample.csv" in report["errors"][0]["message"]


def test_every_public_gift_file_gives_the_json_contract(cli, quiz_banks_dir) -> None:  # type: ignore[no-untyped-def]
    from bot.features.quiz.bank import import_bank_file
    from learning.formats import parse_bank

    services = _services()
    services.framework.replace(type(services.framework.get())((), ()))
    skipped = 0
    for path in sorted((quiz_banks_dir / "gift-pegjs").glob("*.gift")):
        report = import_bank_file(services, path, skip_invalid=True).as_json()
        json.dumps(report)
        assert set(report) == {"imported", "skipped", "errors"}
        assert all(set(s) == {"line", "reason"} for s in report["skipped"])
        assert all(set(e) == {"line", "message"} for e in report["errors"])
        parsed = parse_bank(path.read_text(encoding="utf-8"), filename=path.name).items
        clashes = [e for e in report["errors"] if "already used by an item from" in e["message"]]
        assert report["imported"] == len(parsed) - len(clashes), path.name
        skipped += len(report["skipped"])
    assert skipped > 5, "essay, matching and numeric questions are reported as skipped"


@pytest.fixture
def quiz_banks_dir(shared_data: Path) -> Path:
    return shared_data / "quiz-banks"


def _lsat(shared_data: Path) -> Path:
    return shared_data / "irt" / "lsat6_lsat7"


def test_calibrate_reproduces_the_published_lsat6_estimates(cli, shared_data) -> None:  # type: ignore[no-untyped-def]
    published = json.loads((_lsat(shared_data) / "published_estimates.json").read_text())
    code, out, err = cli(
        "items",
        "calibrate",
        "--responses",
        str(_lsat(shared_data) / "LSAT_expanded_ltm.csv"),
        "--json",
    )
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"items", "log_likelihood"}
    assert result["log_likelihood"] == pytest.approx(published["LSAT6_2PL_ltm"]["logLik"], abs=0.05)
    for item_id, pub in published["LSAT6_2PL_ltm"]["items"].items():
        assert result["items"][item_id]["a"] == pytest.approx(pub["Dscrmn"], abs=0.05)
        assert result["items"][item_id]["b"] == pytest.approx(pub["Dffclt"], abs=0.05)


def test_calibrate_reproduces_lsat7_from_its_pattern_table(cli, shared_data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with (_lsat(shared_data) / "LSAT7_patterns_mirt.csv").open(newline="") as fh:
        header, *rows = list(csv.reader(fh))
    responses = tmp_path / "lsat7.csv"
    with responses.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header[:-1])
        for row in rows:
            writer.writerows([row[:-1]] * int(row[-1]))
    code, out, err = cli("items", "calibrate", "--responses", str(responses), "--json")
    assert code == 0, err
    reference = json.loads((_lsat(shared_data) / "published_estimates.json").read_text())
    mirt = reference["LSAT7_2PL_mirt_test_reference"]
    items = json.loads(out)["items"]
    for column, (name, pub) in zip(header[:-1], mirt["items"].items(), strict=True):
        assert items[column]["a"] == pytest.approx(pub["a1"], abs=0.05)
        assert items[column]["b"] == pytest.approx(mirt["items_derived_b"][name], abs=0.05)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("q1,q2,q3\n1,0,1\n1,2,0\n", "line 3: item 'q2' has value '2'"),
        ("q1,q2,q3\n1,,1\n0,,1\n", "'q2' (column 2) has no answers"),
        ("q1,q2\n1,0,1\n", "line 2: expected 2 values"),
    ],
)
def test_calibrate_refuses_bad_response_files(cli, tmp_path, content, expected) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, out, err = cli("items", "calibrate", "--responses", str(path), "--json")
    assert code == 1
    assert out == ""
    assert expected in err


def _store_simulated_answers(n_learners: int, truth: dict[str, tuple[float, float]]) -> None:
    """Learners of known ability answering every item, written in bulk (as the log would be)."""
    from sqlalchemy import insert

    from bot.storage.tables import learners, responses

    services = _services()
    rng = np.random.default_rng(7)
    now = services.clock.now()
    people = [
        {
            "id": f"l{k}",
            "display_name": "",
            "roles": ["learner"],
            "created_at": now,
            "updated_at": now,
        }
        for k in range(n_learners)
    ]
    rows = []
    for person in people:
        theta = rng.normal()
        for item_id, (a, b) in truth.items():
            correct = bool(rng.random() < 1 / (1 + np.exp(-a * (theta - b))))
            rows.append(
                {
                    "learner_id": person["id"],
                    "item_id": item_id,
                    "chosen": [],
                    "correct": correct,
                    "at": now,
                    "context": "quiz",
                    "dialog_id": f"d-{person['id']}",
                }
            )
    with services.engine.begin() as conn:
        conn.execute(insert(learners), people)
        conn.execute(insert(responses), rows)


def test_calibrate_from_the_log_stores_parameters_and_stats_report_them(cli) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli("items", "calibrate", "--json")
    assert code == 1, "nothing to calibrate yet"
    cli("quiz", "import", str(FIXTURES / "bank.yaml"))
    rng = np.random.default_rng(3)
    ids = [i.id for i in _services().items.bank()]
    truth = {i: (float(rng.uniform(0.8, 2.0)), float(rng.uniform(-1.5, 1.5))) for i in ids}
    _store_simulated_answers(800, truth)
    code, out, err = cli("items", "calibrate", "--json")
    assert code == 0, err
    assert "Stored parameters for 10 items (from 800 learners)" in err
    estimated = json.loads(out)["items"]
    b_true = np.array([truth[i][1] for i in ids])
    b_est = np.array([estimated[i]["b"] for i in ids])
    assert np.mean(np.abs(b_est - b_true)) < 0.25
    stored = {i.id: i for i in _services().items.bank()}
    assert stored[ids[0]].b == pytest.approx(estimated[ids[0]]["b"], abs=1e-5)

    code, out, _ = cli("items", "stats", "--json")
    assert code == 0
    rows = {r["id"]: r for r in json.loads(out)["items"]}
    assert all(r["answers"] == 800 and r["calibrated"] for r in rows.values())
    easiest = min(ids, key=lambda i: truth[i][1])
    assert rows[easiest]["p_correct"] == max(r["p_correct"] for r in rows.values())
    assert all(r["point_biserial"] > 0 for r in rows.values())


def test_exemptions_are_listed_with_evidence_and_revoked_with_an_audit_entry(cli) -> None:  # type: ignore[no-untyped-def]
    from bot.core.events import Identity, UserInfo

    services = _services()
    now = services.clock.now()
    ana = services.learners.resolve(Identity("terminal", "local", "ana"), UserInfo(), now=now)
    services.mastery.grant_exemption(
        ana.id,
        competency="sql",
        modules=["sql/joins"],
        evidence=[{"item": "sql-where", "correct": True}],
        theta=1.3,
        se=0.5,
        p_mastery=0.9,
        cut=0.0,
        threshold=0.8,
        dialog_id="d1",
        now=now,
    )
    code, out, _ = cli("exemptions", "list", "--user", "ana", "--json")
    assert code == 0
    [listed] = json.loads(out)["exemptions"]
    assert listed["competency"] == "sql"
    assert listed["active"] is True
    assert listed["evidence"] == [{"item": "sql-where", "correct": True}]
    assert (listed["estimate"], listed["se"], listed["cut_score"]) == (1.3, 0.5, 0.0)

    code, out, _ = cli("exemptions", "revoke", "--user", "ana", "sql", "--reason", "new policy")
    assert code == 0
    assert "Revoked" in out
    code, _, err = cli("exemptions", "revoke", "--user", "ana", "sql")
    assert code == 1
    assert "no active exemption" in err
    [entry] = [e for e in _services().audit.entries() if e["action"] == "exemption.revoke"]
    assert entry["target"] == ana.id
    assert entry["detail"] == {"competency": "sql", "reason": "new policy"}
    code, out, _ = cli("exemptions", "list", "--user", "ana")
    assert "sql: revoked by cli" in out
    code, _, err = cli("exemptions", "list", "--user", "zoe")
    assert code == 1
    assert "no learner 'zoe'" in err


def test_the_quiz_commands_run_as_a_real_process(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "LEARNBOT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "quiz", "import", str(FIXTURES / "bank.yaml"), "--json"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["imported"] == 10


AIKEN = """\
Which protocol secures web traffic?
A)HTTPS
B)FTP
ANSWER: A

What should you do with a suspicious email?
A.Reply and ask who sent it
B.Report it with the Report Phish button
C.Delete it without telling anyone
ANSWER: B
"""


def test_competency_option_gives_aiken_items_their_competency(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bank = tmp_path / "phishing.aiken"
    bank.write_text(AIKEN)
    code, out, _ = cli("quiz", "import", str(bank), "--json")
    assert code == 1, "Aiken cannot name a competency, and 'general' is not in the framework"
    assert "unknown competency 'general'" in out
    code, out, _ = cli("quiz", "import", str(bank), "--competency", "Security awareness", "--json")
    assert code == 0, out
    assert json.loads(out)["imported"] == 2
    assert _services().items.competencies() == {"security": 2}
    code, out, _ = cli("quiz", "import", str(bank), "--competency", "cooking", "--json")
    assert code == 1
    assert "--competency 'cooking' is not a competency of the framework" in out


def test_competency_option_fills_gift_questions_outside_a_category(  # type: ignore[no-untyped-def]
    cli, tmp_path, shared_data
) -> None:
    real = (shared_data / "quiz-banks" / "gift-pegjs" / "mc1.gift").read_text()
    bank = tmp_path / "mixed.gift"
    bank.write_text(
        real + "\n\n$CATEGORY: sql\n\n::Sorting:: Which keyword sorts rows? {=ORDER BY ~GROUP BY}\n"
    )
    code, out, _ = cli("quiz", "import", str(bank), "--competency", "security", "--json")
    assert code == 0, out
    assert json.loads(out)["imported"] == 2
    by_stem = {i.stem: i.competency for i in _services().items.bank()}
    assert by_stem["Who's buried in Grant's tomb?"] == "security"
    assert by_stem["Which keyword sorts rows?"] == "sql", "a category still names its own"


ALL_RIGHT_BANK = """\
items:
  - id: pick-all
    competency: sql
    question: Which of these are SQL keywords?
    type: multiple
    options: [SELECT, FROM]
    answer: [a, b]
"""


def test_a_bank_whose_every_answer_is_right_is_refused_and_keeps_the_stored_bank(
    cli, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    assert cli("quiz", "import", str(FIXTURES / "bank.yaml"))[0] == 0
    before = {i.id: i for i in _services().items.bank()}
    bank = tmp_path / "all-right.yaml"
    bank.write_text(ALL_RIGHT_BANK)
    code, out, err = cli("quiz", "import", str(bank))
    assert code == 1
    assert "every option is marked correct (a, b)" in err
    assert "a question needs at least one wrong option" in err
    assert "Nothing was imported" in out
    assert {i.id: i for i in _services().items.bank()} == before


def _responses(tmp_path: Path, learners: int) -> Path:
    rng = np.random.default_rng(learners)
    lines = ["q1,q2,q3,q4"]
    for _ in range(learners):
        lines.append(",".join(str(int(rng.random() < p)) for p in (0.3, 0.5, 0.6, 0.8)))
    # Every item answered both ways, so only the sample size decides.
    lines += ["1,1,1,1", "0,0,0,0"]
    path = tmp_path / f"r{learners}.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_calibration_from_5_learners_is_refused_and_from_few_warned(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from learning.calibration import MIN_LEARNERS, WARN_LEARNERS

    code, out, err = cli("items", "calibrate", "--responses", str(_responses(tmp_path, 3)))
    assert code == 1
    assert out == ""
    assert f"answers from 5 learners; calibration needs at least {MIN_LEARNERS}" in err

    code, out, err = cli("items", "calibrate", "--responses", str(_responses(tmp_path, 48)))
    assert code == 0, err
    assert f"warning: only 50 learners answered: the estimates are rough; {WARN_LEARNERS}" in err
    assert "log-likelihood" in out


def test_calibrating_stored_answers_of_5_learners_stores_nothing(cli) -> None:  # type: ignore[no-untyped-def]
    cli("quiz", "import", str(FIXTURES / "bank.yaml"))
    before = {i.id: (i.a, i.b) for i in _services().items.bank()}
    rng = np.random.default_rng(5)
    truth = {i: (1.0, float(rng.uniform(-1, 1))) for i in before}
    _store_simulated_answers(5, truth)
    code, _, err = cli("items", "calibrate")
    assert code == 1
    assert "answers from 5 learners" in err
    assert {i.id: (i.a, i.b) for i in _services().items.bank()} == before
