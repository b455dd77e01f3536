"""Administrative penalties (行政处罚, issue 12 items 9–10): penalty decisions with no double
fine for one act (行政处罚法 第二十九条; the matching is the pure
anjian.inspections.penalties), orders to suspend with their resume review, and the list of
seriously untrustworthy subjects decided by the penalising department (应急管理部令第11号;
the rules are the pure anjian.inspections.untrustworthy)."""
