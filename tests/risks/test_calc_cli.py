"""`anjian calc lec|ls|mes|major-hazard`: one JSON object and exit 0, or exit 2 with a
JSON error on stderr and nothing on stdout."""

import json

import pytest

from anjian.cli import main


def run_ok(capsys, *argv):
    code = main(["calc", *argv])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == ""
    return json.loads(captured.out)


def run_refused(capsys, *argv):
    code = main(["calc", *argv])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    return json.loads(captured.err)


def test_given_lec_factors_when_calc_lec_then_score_class_level_colour_profile(capsys):
    out = run_ok(capsys, "lec", "--l", "3", "--e", "6", "--c", "7")
    assert {k: out[k] for k in ("score", "class", "level", "colour", "profile")} == {
        "score": "126",
        "class": 3,
        "level": "一般",
        "colour": "yellow",
        "profile": "lec-5class-db",
    }


def test_given_lec_on_the_20_edge_when_calc_lec_then_class_5(capsys):
    out = run_ok(capsys, "lec", "--l", "1", "--e", "0.5", "--c", "40")
    assert (out["score"], out["class"], out["colour"]) == ("20", 5, "blue")


def test_given_lec_d_70_with_profile_p2_when_calc_lec_then_yellow(capsys):
    out = run_ok(capsys, "lec", "--l", "1", "--e", "10", "--c", "7", "--profile", "lec-5class-p2")
    assert (out["score"], out["class"], out["colour"], out["profile"]) == (
        "70",
        4,
        "yellow",
        "lec-5class-p2",
    )


def test_given_a_fractional_product_when_calc_lec_then_plain_decimal(capsys):
    out = run_ok(capsys, "lec", "--l", "0.1", "--e", "3", "--c", "1")
    assert out["score"] == "0.3"


@pytest.mark.parametrize(
    ("profile", "colour"), [("ls-v1", "orange"), ("ls-v2", "yellow"), ("ls-v3-db5", "yellow")]
)
def test_given_r_9_when_calc_ls_with_each_profile_then_its_colour(capsys, profile, colour):
    out = run_ok(capsys, "ls", "--l", "3", "--s", "3", "--profile", profile)
    assert (out["score"], out["colour"], out["profile"]) == ("9", colour, profile)


def test_given_r_20_when_calc_ls_then_red(capsys):
    out = run_ok(capsys, "ls", "--l", "4", "--s", "5")
    assert (out["score"], out["level"], out["colour"]) == ("20", "重大", "red")


def test_given_mes_factors_when_calc_mes_then_level_and_colour(capsys):
    out = run_ok(capsys, "mes", "--m", "3", "--e", "6", "--s", "8")
    assert (out["score"], out["level"], out["colour"], out["profile"]) == (
        "144",
        "重大",
        "red",
        "mes-deployed",
    )


def test_given_the_acceptance_unit_when_calc_major_hazard_then_sum_1_and_major(capsys):
    out = run_ok(
        capsys,
        "major-hazard",
        "--substance",
        "液氨:7",
        "--substance",
        "液氯:1",
        "--substance",
        "氢气:0.5",
        "--people",
        "0",
    )
    assert (out["sum"], out["is_major"], out["alpha"]) == ("1", True, "0.5")
    # 0.5 × (2·7/10 + 4·1/5 + 1.5·1/10): hydrogen takes β 1.5 (W2, 表4).
    assert (out["R"], out["grade"], out["grade_number"]) == ("47/40", "四级", 4)
    assert [s["cas"] for s in out["substances"]] == ["7664-41-7", "7782-50-5", "1333-74-0"]
    assert [s["beta_source"][:2] for s in out["substances"]] == ["表3", "表3", "表4"]


def test_given_2000_t_of_lpg_and_100_people_when_calc_major_hazard_then_r_120_first_grade(
    capsys,
):
    out = run_ok(capsys, "major-hazard", "--substance", "液化石油气:2000", "--people", "100")
    # The CLI contract: the same keys as before, one line per substance.
    assert set(out) == {
        "sum",
        "sum_approx",
        "is_major",
        "people",
        "alpha",
        "R",
        "R_approx",
        "grade",
        "grade_number",
        "profile",
        "profile_version",
        "substances",
    }
    assert (out["sum"], out["alpha"], out["R"], out["grade"], out["grade_number"]) == (
        "40",
        "2",
        "120",
        "一级",
        1,
    )
    (line,) = out["substances"]
    assert (line["cas"], line["category"], line["Q"], line["beta"]) == (
        "68476-85-7",
        "W2",
        "50",
        "1.5",
    )
    assert line["beta_source"].startswith("表4 W2") and line["category_from"] == "表1"
    assert line["category_unverified"] is False


def test_given_more_ammonia_when_calc_major_hazard_then_sum_13_10(capsys):
    out = run_ok(
        capsys,
        "major-hazard",
        "--substance",
        "7664-41-7:10",
        "--substance",
        "氯气:1.5",
        "--alpha",
        "1.0",
    )
    # 10/10 + 1.5/5 = 13/10; R = 1 × (2·1 + 4·3/10) = 16/5.
    assert (out["sum"], out["is_major"], out["R"], out["grade"]) == ("13/10", True, "16/5", "四级")


def test_given_the_s18_example_when_calc_major_hazard_then_r_30_third_grade(capsys):
    out = run_ok(capsys, "major-hazard", "--substance", "二氧化硫:200", "--people", "60")
    assert (out["alpha"], out["R"], out["grade"], out["grade_number"]) == ("1.5", "30", "三级", 3)


def test_given_no_people_nor_alpha_when_calc_major_hazard_then_identification_only(capsys):
    out = run_ok(capsys, "major-hazard", "--substance", "氨:3")
    assert (out["sum"], out["is_major"], out["R"], out["grade"]) == ("3/10", False, None, None)


def test_given_explicit_q_and_beta_when_calc_major_hazard_then_used(capsys):
    out = run_ok(capsys, "major-hazard", "--substance", "一氧化碳:20:10", "--people", "120")
    # 2 × 20/10 × α 2 = 8
    assert (out["sum"], out["alpha"], out["R"], out["grade"]) == ("2", "2", "8", "四级")
    assert out["substances"][0]["Q_source"] == "given"


def test_given_w4_with_the_alternative_profile_when_calc_major_hazard_then_q_200(capsys):
    out = run_ok(
        capsys, "major-hazard", "--substance", "W4:100", "--profile", "gb18218-2018-w4-200"
    )
    assert out["sum"] == "1/2" and out["profile"] == "gb18218-2018-w4-200"


@pytest.mark.parametrize(
    ("argv", "code", "field"),
    [
        (["lec", "--l", "4", "--e", "6", "--c", "7"], "not_in_table", "L"),
        (["lec", "--l", "x", "--e", "6", "--c", "7"], "not_number", "L"),
        (
            ["lec", "--l", "3", "--e", "6", "--c", "7", "--profile", "nope"],
            "unknown_profile",
            "profile",
        ),
        (["ls", "--l", "6", "--s", "1"], "not_in_table", "L"),
        (["mes", "--m", "2", "--e", "6", "--s", "8"], "not_in_table", "M"),
        (["major-hazard", "--substance", "氨:-1", "--people", "3"], "negative", "q(氨)"),
        (["major-hazard", "--substance", "未知物:1"], "unknown_substance", "substance"),
        (["major-hazard", "--substance", "一氧化碳:1"], "no_critical_quantity", "Q(一氧化碳)"),
        (["major-hazard", "--substance", "某物:1:0"], "not_positive", "Q(某物)"),
        (["major-hazard", "--substance", "氨"], "bad_spec", "substance"),
        (
            ["major-hazard", "--substance", "氨:1", "--people", "3", "--alpha", "2"],
            "alpha_and_people",
            "alpha",
        ),
        (["major-hazard", "--substance", "氨:20", "--alpha", "3"], "alpha_not_in_table", "alpha"),
        (
            ["major-hazard", "--substance", "氨:20", "--people", "-4"],
            "people_not_integer",
            "people",
        ),
        (["major-hazard", "--substance", "氨:1", "--profile", "x"], "unknown_profile", "profile"),
    ],
)
def test_given_bad_input_when_calc_then_json_error_on_stderr_and_exit_2(capsys, argv, code, field):
    error = run_refused(capsys, *argv)
    assert (error["code"], error["field"]) == (code, field)
    assert error["error"] and error["error_en"]


def test_given_l_not_in_table_when_calc_lec_then_the_message_lists_the_allowed_values(capsys):
    error = run_refused(capsys, "lec", "--l", "4", "--e", "6", "--c", "7")
    assert error["error"].endswith("允许的取值：10, 6, 3, 1, 0.5, 0.2, 0.1")


@pytest.mark.parametrize(
    "argv",
    [["lec", "--l", "3", "--e", "6"], ["ls", "--l", "3"], ["major-hazard", "--people", "3"]],
)
def test_given_a_missing_argument_when_calc_then_argparse_usage_and_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(["calc", *argv])
    assert info.value.code == 2
    assert "required" in capsys.readouterr().err
