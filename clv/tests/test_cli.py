"""`klantvriend analyse` end to end through main([...]), and the file reader's formats and errors."""

import json
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from clv.cli import _check_enough_data, main
from clv.io import TransactionFileError, read_transactions
from clv.simulate import simulate_transactions
from clv.summary import summarise_transactions
from clv.tests.conftest import CDNOW_RAW


def run_json(capsys, *arguments):
    status = main(["analyse", *map(str, arguments), "--json", "--quiet"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(captured.out)


def test_analyse_cdnow_reproduces_the_papers(capsys, tmp_path):
    # Given the raw CDNOW file (no header; customer, date and amount in columns 2, 3 and 5)
    predictions = tmp_path / "predictions.csv"
    # When analysed in weeks with the papers' calibration period, as BG/NBD
    report = run_json(
        capsys,
        CDNOW_RAW,
        "--customer-col",
        2,
        "--date-col",
        3,
        "--amount-col",
        5,
        "--time-unit",
        "week",
        "--calibration-end",
        "1997-09-30",
        "--model",
        "bgnbd",
        "--predictions",
        predictions,
    )
    # Then the published BG/NBD and Gamma-Gamma figures come out
    assert report["n_customers"] == 2357
    assert report["n_transactions"] == 6919
    assert report["model"] == "bgnbd"
    for name, value in {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}.items():
        assert report["params"][name] == pytest.approx(value, rel=1e-3)
    assert report["log_likelihood"] == pytest.approx(-9582.43, abs=0.01)
    assert {k: round(v, 2) for k, v in report["spend_params"].items()} == {
        "p": 6.25,
        "q": 3.74,
        "gamma": 15.44,
    }
    assert 0 < report["repeat_share"] < 1
    holdout = report["holdout"]
    assert holdout["actual_total"] == 1882
    assert holdout["predicted_total"] > 0
    assert holdout["mae"] > 0
    lines = predictions.read_text().splitlines()
    assert (
        lines[0]
        == "customer_id,frequency,recency,T,probability_alive,expected_purchases,expected_spend,clv"
    )
    assert len(lines) == 2358
    values = np.array([line.split(",")[1:] for line in lines[1:]], dtype=float)
    assert np.all(np.isfinite(values))
    assert np.all(values[:, -1] >= 0)
    # Each customer's value is P(alive) times the value if still a customer, and winning one
    # back is worth the margin on the mean of the latter (the advice page's last column)
    at_risk = report["at_risk"][0]
    assert at_risk["probability_alive"] < 0.5
    assert at_risk["clv_if_active"] > 2 * at_risk["clv"]
    for row in report["most_valuable"] + report["at_risk"]:
        assert row["clv"] == pytest.approx(row["probability_alive"] * row["clv_if_active"])
    advice = report["advice"]
    assert advice["mean_value_if_active"] > advice["mean_value"]
    assert advice["won_back_worth_per_customer"] == pytest.approx(
        advice["margin"] * advice["mean_value_if_active"], rel=1e-12
    )


def test_analyse_auto_chooses_on_holdout_and_reports_pareto_nbd(capsys):
    report = run_json(
        capsys,
        CDNOW_RAW,
        "--customer-col",
        2,
        "--date-col",
        3,
        "--amount-col",
        5,
        "--calibration-end",
        "1997-09-30",
        "--model",
        "pnbd",
    )
    for name, value in {"r": 0.5532, "alpha": 10.5763, "s": 0.6062, "beta": 11.6715}.items():
        assert report["params"][name] == pytest.approx(value, rel=1e-3)
    assert report["log_likelihood"] == pytest.approx(-9594.98, abs=0.01)
    auto = run_json(
        capsys,
        CDNOW_RAW,
        "--customer-col",
        2,
        "--date-col",
        3,
        "--amount-col",
        5,
        "--calibration-end",
        "1997-09-30",
    )
    assert auto["selection"]["criterion"] == "holdout_mae"
    assert len(auto["selection"]["candidates"]) == 3
    assert auto["model"] in {"bgnbd", "mbgnbd", "pnbd"}


def write_dutch_export(
    path, *, encoding="cp1252", delimiter=";", bom=False, date_style="dd-mm-yyyy"
):
    customers, dates, amounts = simulate_transactions(
        n_customers=150,
        r=0.8,
        alpha=20.0,
        s=0.5,
        beta=60.0,
        p=6.0,
        q=4.0,
        gamma=60.0,
        days=400,
        random_state=5,
    )
    years, months, days = (
        dates.astype("datetime64[Y]").astype(int) + 1970,
        dates.astype("datetime64[M]").astype(int) % 12 + 1,
        (dates - dates.astype("datetime64[M]")).astype(int) + 1,
    )
    rows = []
    for customer, year, month, day, amount in zip(
        customers, years, months, days, amounts, strict=True
    ):
        date_text = {
            "dd-mm-yyyy": f"{day:02d}-{month:02d}-{year}",
            "dd/mm/yyyy": f"{day}/{month}/{year}",
            "iso": f"{year}-{month:02d}-{day:02d} 12:30:00",
            "yyyymmdd": f"{year}{month:02d}{day:02d}",
        }[date_style]
        amount_text = f"€ {amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        rows.append(delimiter.join([f"K{customer:04d}", date_text, amount_text, "Café Één"]))
    header = delimiter.join(["Klantnummer", "Datum", "Bedrag", "Omschrijving"])
    text = "\r\n".join([header, *rows]) + "\r\n"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return customers, dates, amounts


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom", "date_style"),
    [
        ("cp1252", ";", False, "dd-mm-yyyy"),
        ("utf-8", ";", True, "dd/mm/yyyy"),
        ("utf-8", "\t", False, "iso"),
        ("utf-8", ";", False, "yyyymmdd"),
    ],
)
def test_reader_handles_dutch_exports(tmp_path, encoding, delimiter, bom, date_style):
    path = tmp_path / "export.csv"
    customers, dates, amounts = write_dutch_export(
        path, encoding=encoding, delimiter=delimiter, bom=bom, date_style=date_style
    )
    transactions = read_transactions(str(path))
    assert transactions.customer_column == "Klantnummer"
    assert transactions.date_column == "Datum"
    assert transactions.amount_column == "Bedrag"
    np.testing.assert_array_equal(transactions.dates, dates)
    np.testing.assert_allclose(transactions.amounts, amounts, atol=1e-9)
    assert transactions.decoded_ids()[0] == f"K{customers[0]:04d}"


def test_analyse_dutch_export_text_report(tmp_path, capsys):
    path = tmp_path / "kassa.csv"
    write_dutch_export(path)
    predictions = tmp_path / "out.csv"
    status = main(
        [
            "analyse",
            str(path),
            "--time-unit",
            "day",
            "--predictions",
            str(predictions),
            "--horizon",
            "6",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "Repeat share:" in out
    assert "Model:" in out
    assert "lowest BIC" in out
    assert "Most valuable customers:" in out
    assert "At risk" in out
    assert "Customer lifetime value over 6 months" in out
    assert "CLV if active" in out
    assert "Won back, a customer is worth" in out
    assert predictions.read_text().count("\n") == 151


def test_returns_are_left_out_and_counted_not_taken_for_visits(tmp_path, capsys):
    # Given a till export, and the same export with two purchases brought back days later
    # (negative amounts), the first by a customer who bought only once
    plain = tmp_path / "kassa.csv"
    write_dutch_export(plain)
    lines = plain.read_text(encoding="cp1252").splitlines()
    with_returns = tmp_path / "kassa-met-retouren.csv"
    with_returns.write_text(
        "\r\n".join(
            [
                *lines,
                "K9001;01-02-2024;€ 10,00;Koffie",
                "K9001;04-02-2024;-10,00;Retour",
                "K0003;06-02-2024;-€ 1.234,50;Retour",
            ]
        )
        + "\r\n",
        encoding="cp1252",
    )
    without_returns = tmp_path / "kassa-zonder-retouren.csv"
    without_returns.write_text(
        "\r\n".join([*lines, "K9001;01-02-2024;€ 10,00;Koffie"]) + "\r\n", encoding="cp1252"
    )
    # When both are analysed
    expected = run_json(capsys, without_returns)
    report = run_json(capsys, with_returns)
    # Then the returns are counted and their total given, and everything else is the analysis
    # of the file without them: K9001 stays a one-off buyer
    assert report["returns"] == {"rows": 2, "amount": -1244.5}
    assert expected["returns"] == {"rows": 0, "amount": 0.0}
    for key in ("file", "returns"):
        del report[key], expected[key]
    assert report == expected
    # And the text report says so
    assert main(["analyse", str(with_returns), "--quiet"]) == 0
    assert (
        "Left out 2 returns (rows with a negative amount, -1,244.50 in total): a return is not a "
        "visit, so it counts neither as a purchase nor against the spend of the purchase it undoes."
    ) in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(("encoding", "dash"), [("cp1252", "-"), ("cp1252", "–"), ("utf-8", "—")])
def test_round_amounts_written_with_a_dash_are_read_as_whole_euros(
    tmp_path, capsys, encoding, dash
):
    # Given a till export, and the same export with its round amounts as Dutch receipts write
    # them ("€ 35,-", "€ 35,--"): the web app's importers read them, the analysis refused the file
    written = tmp_path / "kassa.csv"
    write_dutch_export(written, encoding=encoding)
    lines = written.read_text(encoding=encoding).splitlines()
    with_round = [*lines, "K9001;01-02-2024;€ 35,00;Bos", "K9001;08-02-2024;12,00;Vaas"]
    dashed = [*lines, f"K9001;01-02-2024;€ 35,{dash};Bos", f"K9001;08-02-2024;12,{dash * 2};Vaas"]
    (tmp_path / "rond.csv").write_text("\r\n".join(with_round) + "\r\n", encoding=encoding)
    (tmp_path / "streep.csv").write_text("\r\n".join(dashed) + "\r\n", encoding=encoding)
    # When both are analysed
    expected = run_json(capsys, tmp_path / "rond.csv")
    report = run_json(capsys, tmp_path / "streep.csv")
    # Then the analysis is the same
    del expected["file"], report["file"]
    assert report == expected


def test_walk_in_sales_without_a_customer_are_left_out_and_counted(tmp_path, capsys):
    # Given a till export with anonymous walk-in sales between the customers' purchases
    path = tmp_path / "kassa.csv"
    path.write_bytes(
        b"Klantnummer;Datum;Bedrag\r\n"
        b"K1;01-02-2024;10,00\r\n"
        b";01-02-2024;\x80 1.234,50\r\n"
        b"K2;02-02-2024;7,25\r\n"
        b" ;03-02-2024;2,50\r\n"
        b"K1;04-02-2024;12,00\r\n"
    )
    # When it is read
    transactions = read_transactions(str(path))
    # Then the rows that name a customer are kept, in file order, and the others counted
    assert transactions.decoded_ids().tolist() == ["K1", "K2", "K1"]
    np.testing.assert_array_equal(
        transactions.dates, np.array(["2024-02-01", "2024-02-02", "2024-02-04"], "datetime64[D]")
    )
    assert transactions.amounts.tolist() == [10.0, 7.25, 12.0]
    assert (transactions.walk_in_rows, transactions.walk_in_amount) == (2, 1237.0)


def test_analyse_reports_walk_in_sales_and_otherwise_ignores_them(tmp_path, capsys):
    # Given a till export, and the same with walk-in sales added
    plain = tmp_path / "kassa.csv"
    write_dutch_export(plain)
    lines = plain.read_text(encoding="cp1252").splitlines()
    with_walk_ins = tmp_path / "kassa-met-passanten.csv"
    with_walk_ins.write_text(
        "\r\n".join(
            [lines[0], ";01-02-2024;€ 1.000,00;Brood", *lines[1:], ";02-02-2024;3,50;Koffie"]
        )
        + "\r\n",
        encoding="cp1252",
    )
    # When both are analysed
    expected = run_json(capsys, plain)
    report = run_json(capsys, with_walk_ins)
    # Then the walk-in sales are counted, and the analysis is that of the customers alone
    assert report["walk_ins"] == {"rows": 2, "amount": 1003.5}
    assert expected["walk_ins"] == {"rows": 0, "amount": 0.0}
    for key in ("file", "walk_ins"):
        del report[key], expected[key]
    assert report == expected
    assert main(["analyse", str(with_walk_ins), "--quiet"]) == 0
    assert (
        "Left out 2 sales without a customer (walk-in sales, 1,003.50 in total): they cannot be "
        "followed over time, so the figures are of the customers the file names."
    ) in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(
    "header",
    ['"Klantnr";"Bondatum";"Totaal"', "Pasnummer;Bondatum;Bonbedrag", "Klantkaart;Datum;Bedrag"],
)
def test_till_headers_are_recognised(tmp_path, header):
    path = tmp_path / "kassa.csv"
    path.write_text(f"{header}\n123;05-03-2024;12,50\n", encoding="utf-8")
    transactions = read_transactions(str(path))
    names = [name.strip('"') for name in header.split(";")]
    assert [
        transactions.customer_column.strip('"'),
        transactions.date_column.strip('"'),
        transactions.amount_column.strip('"'),
    ] == names
    assert transactions.dates.tolist() == [np.datetime64("2024-03-05").item()]
    assert transactions.amounts.tolist() == [12.5]


def test_a_spend_model_that_does_not_fit_is_said_plainly_with_the_detail_in_json(tmp_path, capsys):
    # Given a shop whose customers all spend alike (amounts drawn from one distribution), on
    # which the Gamma-Gamma fit finds no maximum
    rng = np.random.default_rng(1)
    rows = []
    for customer in range(300):
        for day in sorted(
            rng.choice(500, size=int(rng.choice([1, 1, 1, 2, 3, 5, 8])), replace=False)
        ):
            date = np.datetime64("2025-01-01") + np.timedelta64(int(day), "D")
            rows.append(f"K{customer};{date};{rng.uniform(3, 250):.2f}".replace(".", ","))
    path = tmp_path / "kassa.csv"
    path.write_text("\n".join(["Klantnummer;Datum;Bedrag", *rows]) + "\n", encoding="utf-8")
    # When analysed
    report = run_json(capsys, path, "--model", "mbgnbd")
    assert main(["analyse", str(path), "--quiet", "--model", "mbgnbd"]) == 0
    text = capsys.readouterr().out
    # Then the report says what it means, and --json keeps the optimizer's account
    assert report["spend_params"] is None
    assert report["spend_error"].startswith("Gamma-Gamma fit did not converge (optimizer: ")
    assert (
        "Spend: the spend model (Gamma-Gamma) could not be fitted to these amounts; each "
        "customer's own mean spend is used (--json: spend_error says why)"
    ) in text.splitlines()
    assert "np.float64" not in text


def test_reader_quoted_fields_and_comma_csv(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(
        "customer_id,name,order_date,total\n"
        '"C1","Jansen, Piet",2024-01-05,"1,234.50"\n'
        '"C1","Jansen, Piet",2024-02-05,10.00\n'
        '"C2","De Vries ""Bakker""",2024-01-09,7.25\n',
        encoding="utf-8",
    )
    transactions = read_transactions(str(path))
    assert transactions.decoded_ids().tolist() == ["C1", "C1", "C2"]
    np.testing.assert_allclose(transactions.amounts, [1234.5, 10.0, 7.25])
    assert transactions.dates[2] == np.datetime64("2024-01-09")


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        (b"", [], "the file is empty"),
        (b"klant;datum;bedrag\n", [], "header but no transactions"),
        (
            b"klant;datum;bedrag\n1;2024-01-01;5,00\n2;2024-13-01;5,00\n",
            [],
            "line 3, column 'datum': cannot read the date '2024-13-01'",
        ),
        (
            b"klant;datum;bedrag\n1;31-02-2024;5,00\n",
            [],
            "line 2, column 'datum': cannot read the date '31-02-2024'",
        ),
        (
            b"klant;datum;bedrag\n1;01-02-2024;5,00\n2;01-02-2024;vijf\n",
            [],
            "line 3, column 'bedrag': cannot read the amount 'vijf'",
        ),
        (
            b"klant;datum;bedrag\n1;01-02-2024;5,00\n2;01-02-2024\n",
            [],
            "line 3 has 2 fields, expected 3",
        ),
        (
            b"klant;datum;bedrag\n1;01-02-2024;5,00\n",
            ["--customer-col", "klantcode"],
            "no column named 'klantcode'",
        ),
        (b"naam;wanneer\nPiet;01-02-2024\n", [], "no customer column found among naam, wanneer"),
        (b"1 20240101 5.0\n2 20240102 6.0\n", [], "no header row; name the columns by number"),
        (
            b"klant;datum;bedrag\n1;01-02-2024;-5,00\n",
            [],
            "every row has a negative amount (a return); there are no purchases to analyse",
        ),
        (b"klant;datum;bedrag\n\x81\x8d;01-02-2024;5\n", [], "neither UTF-8 nor Windows-1252"),
        (
            b"klant;datum;bedrag\n;01-02-2024;5\n",
            [],
            "line 2, column 'klant': the customer is empty, and so it is on every row: the "
            "analysis follows customers over time, so it needs a column that names them",
        ),
        (
            b"klant;datum;bedrag\n1;01-02-2024;5\n;31-02-2024;5\n",
            [],
            "line 3, column 'datum': cannot read the date '31-02-2024'",
        ),
    ],
)
def test_bad_files_end_with_a_clear_message_and_nonzero_status(
    tmp_path, capsys, content, arguments, message
):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    status = main(["analyse", str(path), *arguments])
    error = capsys.readouterr().err
    assert status != 0
    assert message in error
    assert "Traceback" not in error


def few_customers_file(path, *, customers, came_back):
    rows = [f"K{number};0{1 + number % 9}-02-2024;5,00" for number in range(customers)]
    rows += [f"K{number};15-05-2024;7,50" for number in range(came_back)]
    path.write_text("\n".join(["klant;datum;bedrag", *rows]) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("customers", "came_back", "message"),
    [
        (
            1,
            1,
            "not enough data for a customer-value model: 1 customer, of whom 1 came back; a "
            'model needs at least 20 customers of whom 5 came back (docs/advisor.md, "Not '
            'enough data")',
        ),
        (
            19,
            5,
            "not enough data for a customer-value model: 19 customers, of whom 5 came back; a "
            'model needs at least 20 customers of whom 5 came back (docs/advisor.md, "Not '
            'enough data")',
        ),
        (
            20,
            4,
            "not enough data for a customer-value model: 20 customers, of whom 4 came back; a "
            'model needs at least 20 customers of whom 5 came back (docs/advisor.md, "Not '
            'enough data")',
        ),
    ],
)
def test_too_little_data_says_what_the_file_holds_and_needs(
    tmp_path, capsys, customers, came_back, message
):
    path = tmp_path / "klein.csv"
    few_customers_file(path, customers=customers, came_back=came_back)
    status = main(["analyse", str(path), "--quiet"])
    error = capsys.readouterr().err
    assert status == 1
    assert error == f"klantvriend analyse: error: {path}: {message}\n"


def test_twenty_customers_of_whom_five_came_back_are_enough_to_fit(tmp_path):
    # The check itself (fitting such a file is slow: not the point here)
    path = tmp_path / "klein.csv"
    few_customers_file(path, customers=20, came_back=5)
    transactions = read_transactions(str(path))
    summary = summarise_transactions(
        customer_ids=transactions.customer_ids,
        dates=transactions.dates,
        amounts=transactions.amounts,
    )
    assert (summary.n_customers, int((summary.frequency > 0).sum())) == (20, 5)
    assert _check_enough_data(summary, path=str(path)) is None


def test_missing_file_and_bad_options(tmp_path, capsys):
    assert main(["analyse", str(tmp_path / "nope.csv")]) == 2
    assert "cannot open the file" in capsys.readouterr().err
    assert (
        main(
            [
                "analyse",
                str(CDNOW_RAW),
                "--customer-col",
                "2",
                "--date-col",
                "3",
                "--as-of",
                "gisteren",
            ]
        )
        == 2
    )
    assert "cannot read the date 'gisteren'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["analyse", str(CDNOW_RAW), "--model", "magic"])


def test_reader_whitespace_file_by_column_numbers():
    transactions = read_transactions(
        str(CDNOW_RAW), customer_column="2", date_column="3", amount_column="5"
    )
    assert transactions.n_transactions == 6919
    assert transactions.delimiter == "whitespace"
    assert transactions.dates.min() == np.datetime64("1997-01-01")
    assert transactions.amounts.sum() == pytest.approx(np.loadtxt(CDNOW_RAW, usecols=4).sum())
    with pytest.raises(TransactionFileError, match="column number 9 does not exist"):
        read_transactions(str(CDNOW_RAW), customer_column="2", date_column="9")


def test_reading_in_small_blocks_gives_the_same_result_and_line_numbers(tmp_path, monkeypatch):
    # Given a Dutch export read once whole and once in blocks of a few hundred bytes
    path = tmp_path / "export.csv"
    write_dutch_export(path)
    whole = read_transactions(str(path))
    monkeypatch.setattr("clv.io.BLOCK_BYTES", 300)
    in_blocks = read_transactions(str(path))
    # Then the parsed columns are identical
    np.testing.assert_array_equal(whole.customer_ids, in_blocks.customer_ids)
    np.testing.assert_array_equal(whole.dates, in_blocks.dates)
    np.testing.assert_array_equal(whole.amounts, in_blocks.amounts)
    # And an error deep in the file names its true line
    lines = path.read_bytes().split(b"\r\n")
    lines[400] = lines[400].split(b";")[0] + b";31-02-2024;1,00;x"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(TransactionFileError, match="line 401, column 'Datum'"):
        read_transactions(str(path))


def test_write_csv_formats_numbers_exactly(tmp_path):
    from clv.io import write_csv

    path = tmp_path / "out.csv"
    write_csv(
        str(path),
        {
            "id": np.array(["a", "b,c", 'd"e']),
            "value": np.array([0.0, -1.25, 123456.0000004]),
            "count": np.array([0.0, 3.0, 12.0]),
        },
        decimals={"count": 0},
    )
    assert path.read_text().splitlines() == [
        "id,value,count",
        "a,0.000000,0",
        '"b,c",-1.250000,3',
        '"d""e",123456.000000,12',
    ]
    with pytest.raises(ValueError, match="'value' has a value that is not a finite number"):
        write_csv(str(path), {"value": np.array([np.nan])})


def test_a_report_piped_to_a_reader_that_stops_ends_without_a_traceback(tmp_path):
    """`klantvriend analyse kassa.csv | head` printed a BrokenPipeError's traceback when head
    stopped reading. `true` reads nothing at all: the first write already finds the pipe shut."""
    path = tmp_path / "kassa.csv"
    write_dutch_export(path)
    script = f"import sys; from clv.cli import main; sys.exit(main(['analyse', {str(path)!r}, '--quiet']))"

    finished = subprocess.run(
        f"{shlex.quote(sys.executable)} -c {shlex.quote(script)} | true",
        shell=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )

    assert (finished.stdout, finished.stderr) == ("", "")


def test_a_fit_that_finds_nobody_leaving_is_said_to_be_a_lack_of_data(tmp_path, capsys):
    # Given thirty customers each in a steady rhythm of their own until the last day: nobody is
    # seen to stop, and BG/NBD puts its dropout at zero
    rows = []
    for customer in range(30):
        gap = 60 + 5 * customer
        for ago in range(0, 1000 - (customer * 37) % 200, gap):
            date = np.datetime64("2026-11-30") - np.timedelta64(ago, "D")
            rows.append(f"K{customer};{date};25,00")
    path = tmp_path / "garage.csv"
    path.write_text("\n".join(["Klantnummer;Datum;Bedrag", *rows]) + "\n", encoding="utf-8")

    report = run_json(capsys, path, "--model", "bgnbd", "--penalizer", "0.001")
    assert main(["analyse", str(path), "--quiet", "--model", "bgnbd", "--penalizer", "0.001"]) == 0
    text = capsys.readouterr().out

    assert report["dropout_collapsed"] is True
    assert (
        "Caution: the model finds no customer ever leaving, as the data do not yet show anyone "
        "stop: every probability alive is 1 and every value assumes the customer stays. Judge "
        "who has left by their own rhythm until the history is longer."
    ) in text.splitlines()
    cdnow = run_json(
        capsys,
        CDNOW_RAW,
        "--customer-col",
        2,
        "--date-col",
        3,
        "--amount-col",
        5,
        "--model",
        "bgnbd",
    )
    assert cdnow["dropout_collapsed"] is False
