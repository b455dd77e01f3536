from anjian.registry.duties import RuleRow, resolve

# industries: 1 = 工贸, 2 = 冶金 (child of 1), 3 = 储能 (no rules)
# divisions: 10 county, 11 township, 12 grid
RULES = [
    RuleRow(1, "emergency", "lead", None),
    RuleRow(1, "industry_it", "cooperating", None),
]
DEPARTMENTS = {(10, "emergency"): 100, (10, "industry_it"): 101, (10, "energy"): 102}


def test_given_child_industry_without_rules_when_resolved_then_parent_rules_apply():
    result = resolve(
        industry_chain=[2, 1], division_chain=[12, 11, 10], rules=RULES, departments=DEPARTMENTS
    )
    assert result.lead_department_id == 100
    assert result.cooperating_department_ids == (101,)


def test_given_industry_without_rules_when_resolved_then_no_lead():
    result = resolve(
        industry_chain=[3], division_chain=[12, 11, 10], rules=RULES, departments=DEPARTMENTS
    )
    assert result.lead_department_id is None and result.lead_kind is None


def test_given_local_decision_when_resolved_then_it_wins_over_default_lead():
    rules = [*RULES, RuleRow(1, "energy", "lead", 10)]
    result = resolve(
        industry_chain=[1], division_chain=[12, 11, 10], rules=rules, departments=DEPARTMENTS
    )
    assert result.lead_department_id == 102
    # The displaced default lead still cooperates; it is not dropped silently.
    assert set(result.cooperating_department_ids) == {100, 101}


def test_given_decision_of_another_county_when_resolved_then_ignored():
    rules = [*RULES, RuleRow(1, "energy", "lead", 99)]
    result = resolve(
        industry_chain=[1], division_chain=[12, 11, 10], rules=rules, departments=DEPARTMENTS
    )
    assert result.lead_department_id == 100


def test_given_lead_kind_without_department_when_resolved_then_gap_but_kind_known():
    result = resolve(
        industry_chain=[1],
        division_chain=[12, 11, 10],
        rules=RULES,
        departments={(10, "industry_it"): 101},
    )
    assert result.lead_department_id is None and result.lead_kind == "emergency"
