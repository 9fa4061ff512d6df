"""`klantvriend analyse` in Dutch: its report, its HTML report, its errors and its help, with
numbers written as Dutch writes them; and which language it speaks when none is asked."""

import ast
import errno
import json
from pathlib import Path

import pytest

from clv import cli, i18n
from clv.cli import main
from clv.tests.test_cli import few_customers_file, write_dutch_export


def dutch(value: float, decimals: int) -> str:
    """Written apart from clv.i18n: 1234.5 as "1.234,50"."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "kassa.csv"
    write_dutch_export(path)
    return path


def test_the_report_reads_in_dutch_with_dutch_numbers(export, capsys):
    assert main(["analyse", str(export), "--time-unit", "day", "--json", "--quiet"]) == 0
    figures = json.loads(capsys.readouterr().out)

    status = main(["analyse", str(export), "--time-unit", "day", "--quiet", "--language", "nl"])

    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out[0] == f"Klantwaardeanalyse van Klantvriend voor {export}"
    assert out[2] == (
        f"{dutch(figures['n_transactions'], 0)} aankopen van {figures['n_customers']} klanten "
        "gelezen (kolommen: klant='Klantnummer', datum='Datum', bedrag='Bedrag'); gegevens tot "
        f"en met {figures['observation_end']}."
    )
    assert out[3] == (
        f"Herhaalaandeel: {dutch(figures['repeat_share'] * 100, 1)}% van de klanten kwam terug, "
        f"goed voor {dutch(figures['repeat_revenue_share'] * 100, 1)}% van de omzet."
    )
    clv = figures["clv"]
    assert (
        f"  totaal {dutch(clv['total'], 2)}, gemiddeld {dutch(clv['mean'], 2)}; "
        f"mediaan {dutch(clv['quantiles']['median'], 2)}, "
    ) in "\n".join(out)
    assert "Klantwaarde over 12 maanden (disconto 1,00% per maand):" in out
    assert "Waardevolste klanten:" in out
    top = figures["most_valuable"][0]
    assert out[out.index("Waardevolste klanten:") + 1].split() == [
        "klant", "x", "t_x", "T", "P(actief)", "E[purch]", "CLV", "CLV", "indien", "actief",
    ]  # fmt: skip
    assert out[out.index("Waardevolste klanten:") + 2].split() == [
        top["customer_id"],
        dutch(top["frequency"], 0),
        dutch(top["recency"], 2),
        dutch(top["T"], 2),
        dutch(top["probability_alive"], 3),
        dutch(top["expected_purchases"], 3),
        dutch(top["clv"], 2),
        dutch(top["clv_if_active"], 2),
    ]
    assert any(line.startswith("Advies over aandacht: relatiebedrijf (") for line in out)


def test_the_html_report_is_dutch_and_writes_money_the_dutch_way(export, tmp_path, capsys):
    report = tmp_path / "rapport.html"

    status = main(["analyse", str(export), "--quiet", "--language", "nl", "--report", str(report)])

    html = report.read_text(encoding="utf-8")
    assert status == 0
    assert html.startswith("<!doctype html><html lang='nl'>")
    assert f"<h1>Analyse van Klantvriend voor {export}</h1>" in html
    for heading in [
        "Advies over aandacht",
        "Omzet van terugkerende en nieuwe klanten per maand",
        "Behoud per cohort",
        "Verdeling van de voorspelde klantwaarde",
    ]:
        assert f"<h2>{heading}</h2>" in html
    assert "<p class='verdict'>relatiebedrijf</p>" in html
    assert "<th>cijfer</th><th>waarde</th>" in html
    assert html.count("<summary>Tabel</summary>") == 3
    # Money as the web app's Dutch pages write it: "€ 1.234", never "€1,234".
    assert "<td>€ " in html
    assert "<td>€1" not in html


def test_errors_are_said_in_dutch(tmp_path, capsys):
    path = tmp_path / "kapot.csv"
    path.write_bytes(b"klant;datum;bedrag\n1;01-02-2024;5\n;31-02-2024;5\n")
    few = tmp_path / "klein.csv"
    few_customers_file(few, customers=1, came_back=1)

    bad_date = main(["analyse", str(path), "--language", "nl"])
    bad_date_said = capsys.readouterr().err
    too_few = main(["analyse", str(few), "--quiet", "--language=nl"])
    too_few_said = capsys.readouterr().err

    assert bad_date == 2
    assert bad_date_said.startswith(
        f"klantvriend analyse: fout: {path}: regel 3, kolom 'datum': de datum '31-02-2024' is "
        "niet te lezen (de datums van het bestand zien eruit als "
    )
    assert too_few == 1
    assert too_few_said == (
        f"klantvriend analyse: fout: {few}: te weinig gegevens voor een klantwaardemodel: 1 "
        "klant, van wie 1 terugkwam; een model heeft minstens 20 klanten nodig van wie er 5 "
        'terugkwamen (docs/advisor.md, "Not enough data")\n'
    )


def test_a_file_the_system_refuses_is_said_in_dutch_words(tmp_path, capsys):
    # The system's own words ("No such file or directory") stay English whatever the language.
    missing = main(["analyse", str(tmp_path / "weg.csv"), "--language", "nl"])
    missing_said = capsys.readouterr().err
    folder = main(["analyse", str(tmp_path), "--language", "nl"])
    folder_said = capsys.readouterr().err

    assert (missing, folder) == (2, 2)
    assert missing_said == (
        f"klantvriend analyse: fout: {tmp_path / 'weg.csv'}: het bestand gaat niet open: "
        "het bestaat niet\n"
    )
    assert folder_said == (
        f"klantvriend analyse: fout: {tmp_path}: het bestand gaat niet open: het is een map\n"
    )


def test_an_output_that_cannot_be_written_is_refused_before_the_work(export, tmp_path, capsys):
    report = tmp_path / "weg" / "rapport.html"

    status = main(["analyse", str(export), "--report", str(report), "--language", "nl"])

    said = capsys.readouterr()
    assert status == 2
    assert said.out == ""  # nothing read, nothing fitted
    assert said.err == (
        f"klantvriend analyse: fout: {report}: het bestand kan niet geschreven worden: "
        f"de map {tmp_path / 'weg'} bestaat niet\n"
    )
    assert main(["analyse", str(export), "--predictions", str(tmp_path), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"klantvriend analyse: error: {tmp_path}: cannot write the file: it is a folder\n"
    )
    assert list(tmp_path.iterdir()) == [export]


def test_a_write_the_system_refuses_midway_is_said_without_a_traceback(
    export, tmp_path, monkeypatch, capsys
):
    predictions = tmp_path / "voorspellingen.csv"

    def full(path, *columns):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(cli, "_write_predictions", full)
    status = main(
        ["analyse", str(export), "--predictions", str(predictions), "--quiet", "--language=nl"]
    )

    assert status == 2
    assert capsys.readouterr().err == (
        f"klantvriend analyse: fout: {predictions}: het bestand kan niet geschreven worden: "
        "de schijf is vol\n"
    )


def test_the_help_is_dutch(capsys):
    with pytest.raises(SystemExit) as done:
        main(["analyse", "--help", "--language", "nl"])

    said = " ".join(capsys.readouterr().out.split())
    assert done.value.code == 0
    assert said.startswith("gebruik: klantvriend analyse [-h] ")
    assert "Herhaalaandeel, klantwaardemodel, de waardevolste klanten" in said
    assert " argumenten: file CSV-bestand " in said
    assert " opties: -h, --help toon deze hulp en stop " in said
    assert "--language {nl,en} taal van rapport en meldingen, nl of en" in said


def test_a_wrong_option_is_refused_in_dutch(capsys):
    with pytest.raises(SystemExit) as refused:
        main(["analyse", "kassa.csv", "--model", "magie", "--language", "nl"])

    said = capsys.readouterr().err
    assert refused.value.code == 2
    assert said.startswith("gebruik: klantvriend analyse ")
    assert said.endswith(
        "klantvriend analyse: fout: argument --model: ongeldige keuze: 'magie' (kies uit "
        "'auto', 'bgnbd', 'mbgnbd', 'pnbd')\n"
    )


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "nl_BE.UTF-8"}, "nl"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "nl"),
        ({}, "nl"),
        ({"LANGUAGE": "de:en", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"LANGUAGE": "enm", "LANG": "C"}, "nl"),  # Middle English is not English
    ],
)
def test_without_language_the_shells_is_followed_and_else_dutch(environment, language):
    assert i18n.language_from_environment(environment) == language


def test_the_shells_language_decides_the_report(export, monkeypatch, capsys):
    monkeypatch.delenv("LANGUAGE")
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")

    assert main(["analyse", str(export), "--quiet"]) == 0

    assert capsys.readouterr().out.startswith("Klantwaardeanalyse van Klantvriend voor ")


@pytest.mark.parametrize(
    ("language", "written"),
    [("nl", ("1.234.567,89", "12,5%", "-3")), ("en", ("1,234,567.89", "12.5%", "-3"))],
)
def test_numbers_are_written_as_the_language_writes_them(language, written):
    i18n.activate(language)

    assert (i18n.number(1234567.891, 2), i18n.percent(0.125, 1), i18n.number(-3)) == written


def test_no_word_to_translate_hides_in_an_f_string():
    """makemessages cannot see into an f-string's expressions: a _() there stays English."""
    hidden = []
    for path in Path(i18n.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [
                    f"{path.name}:{call.lineno}"
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "_"
                ]
    assert hidden == []
