"""Training and certificate rules (issue 15 item 5), pure: no Django import, tested directly.

Sources: 《特种作业人员安全技术培训考核管理规定》 (原国家安全监管总局令第30号, as amended)
for 特种作业操作证; 《生产经营单位安全培训规定》 (原国家安全监管总局令第3号, as amended) for
training hours. See ../shared/domain/standards.md A14.
"""

from __future__ import annotations

import datetime as dt

# certificate_status() answers
VALID = "valid"
REVIEW_DUE = "review_due"
EXPIRED = "expired"
REVOKED = "revoked"
STATUSES = (VALID, REVIEW_DUE, EXPIRED, REVOKED)
# Statuses under which the holder may still do the work (a review that is due but not
# overdue leaves the certificate in force until its review date).
USABLE = frozenset({VALID, REVIEW_DUE})

# 第30号令 第二十二条: the review is applied for within the 60 days before it falls due.
REVIEW_WINDOW_DAYS = 60


def certificate_status(
    expires_on: dt.date, review_due: dt.date | None, state: str, today: dt.date
) -> str:
    """valid / review_due / expired / revoked as of `today`.

    * revoked — the certificate was revoked (撤销/注销), whatever its dates;
    * expired — `today` is after `expires_on` (the certificate is in force on its last
      day), or after `review_due` without a review: 第30号令 第二十五条 makes a
      certificate not reviewed in time invalid (失效);
    * review_due — `review_due` is today or within the next REVIEW_WINDOW_DAYS days
      (第二十二条: apply within 60 days before it falls due); still usable for work;
    * valid — otherwise.
    """
    if state == REVOKED:
        return REVOKED
    if today > expires_on:
        return EXPIRED
    if review_due is not None:
        if today > review_due:
            return EXPIRED
        if (review_due - today).days <= REVIEW_WINDOW_DAYS:
            return REVIEW_DUE
    return VALID
