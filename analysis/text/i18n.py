"""Labels and number/date formats in Vietnamese (default) and English.

Numbers follow the reader's locale through babel: 26.203 and 0,853 in
Vietnamese, 26,203 and 0.853 in English. Every label shown in a report is
looked up here by key, so one place holds both languages.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal, format_percent

LANGS = ("vi", "en")
_LOCALES = {"vi": "vi_VN", "en": "en_GB"}

QUALIFIER_WORDS = {
    "vi": {"exact": "", "about": "khoảng", "at_least": "ít nhất", "at_most": "nhiều nhất"},
    "en": {"exact": "", "about": "about", "at_least": "at least", "at_most": "at most"},
}

LABELS: dict[str, dict[str, str]] = {
    # report furniture
    "simulated_banner": {
        "vi": "DỮ LIỆU MÔ PHỎNG: các số liệu trong báo cáo này được sinh ra từ dữ liệu mô phỏng, "
        "không phải số liệu thực.",
        "en": "SIMULATED DATA: the figures in this report are computed from simulated data, "
        "not real records.",
    },
    "mixed_banner": {
        "vi": "DỮ LIỆU MÔ PHỎNG MỘT PHẦN: báo cáo này dùng cả dữ liệu thực và dữ liệu mô phỏng.",
        "en": "PARTLY SIMULATED DATA: this report uses both real and simulated inputs.",
    },
    "real_banner": {
        "vi": "Dữ liệu thực, đã công bố.",
        "en": "Real, published data.",
    },
    "parameters": {"vi": "Tham số", "en": "Parameters"},
    "inputs": {"vi": "Dữ liệu đầu vào", "en": "Inputs"},
    "sources": {"vi": "Nguồn", "en": "Sources"},
    "data_kind": {"vi": "Loại dữ liệu", "en": "Data"},
    "kind_real": {"vi": "thực", "en": "real"},
    "kind_simulated": {"vi": "mô phỏng", "en": "simulated"},
    "figure": {"vi": "Chỉ số", "en": "Figure"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "missing": {"vi": "chưa có số liệu", "en": "not published"},
    # historical_vs_campaign
    "hist_turns": {"vi": "Lượt hiến máu tích lũy", "en": "Cumulative donation turns"},
    "hist_units": {"vi": "Đơn vị máu tích lũy", "en": "Cumulative units"},
    "hist_yield": {"vi": "Tỷ lệ đơn vị/lượt (lịch sử)", "en": "Historical yield (units per turn)"},
    "campaign_target_units": {"vi": "Chỉ tiêu (đơn vị máu)", "en": "Target (units)"},
    "campaign_registered": {"vi": "Số đăng ký", "en": "Registered officers"},
    "campaign_sessions": {"vi": "Số buổi", "en": "Sessions"},
    "campaign_sites": {"vi": "Số điểm", "en": "Sites"},
    "campaign_days": {"vi": "Số ngày", "en": "Calendar days"},
    "required_yield": {"vi": "Tỷ lệ cần đạt", "en": "Required yield"},
    "projected_units": {"vi": "Dự báo (đơn vị máu)", "en": "Projected units"},
    "projected_units_low": {"vi": "Dự báo: cận dưới 90%", "en": "Projection: 90% low"},
    "projected_units_high": {"vi": "Dự báo: cận trên 90%", "en": "Projection: 90% high"},
    "p_target_met": {"vi": "Xác suất đạt chỉ tiêu", "en": "Chance of meeting the target"},
    "target_share_of_history": {
        "vi": "Chỉ tiêu so với tổng đơn vị trước đó",
        "en": "Target as a share of all earlier units",
    },
    "units_per_session_needed": {"vi": "Đơn vị cần mỗi buổi", "en": "Units needed per session"},
    "units_per_day_needed": {"vi": "Đơn vị cần mỗi ngày", "en": "Units needed per day"},
    "registrations_needed": {
        "vi": "Số đăng ký cần để đạt chỉ tiêu",
        "en": "Registrations the target needs",
    },
    # historical_vs_campaign narrative
    "hvc_title": {
        "vi": "# {name}: lịch sử và kế hoạch",
        "en": "# {name}: the plan against history",
    },
    "hvc_history": {
        "vi": "## Lịch sử\n\nTính đến {date}, cán bộ, chiến sĩ đã có {turns} lượt hiến máu, "
        "thu được {units} đơn vị máu: trung bình {yield_} đơn vị mỗi lượt, nghĩa là khoảng "
        "{loss} số lượt không thành đơn vị máu (bị hoãn khi khám sàng lọc hoặc hao hụt khác). "
        "Báo cáo giả định mỗi lần hiến được chấp nhận là một đơn vị máu, như đơn vị tổ chức công bố.",
        "en": "## History\n\nUp to {date}, officers had presented {turns} times to donate and given "
        "{units} units: {yield_} units per turn, so about {loss} of turns gave no unit (deferred "
        "at screening or lost otherwise). The report assumes one accepted donation is one unit, "
        "as the organiser counts it.",
    },
    "hvc_plan_heading": {"vi": "## Kế hoạch {year}", "en": "## The {year} plan"},
    "hvc_plan_when": {
        "vi": "{where}, từ {start} đến {end} ({days} ngày tính cả hai đầu).",
        "en": "{where}, {start} to {end} ({days} calendar days, both ends included).",
    },
    "hvc_plan_no_dates": {"vi": "{where}; ngày chưa công bố.", "en": "{where}; dates not published."},
    "hvc_plan_target": {"vi": "Chỉ tiêu {target} đơn vị máu.", "en": "Target: {target} units."},
    "hvc_plan_registered": {"vi": "{registered} cán bộ đăng ký.", "en": "{registered} officers registered."},
    "hvc_plan_no_registered": {"vi": "Số đăng ký chưa công bố.", "en": "Registrations not published."},
    "hvc_plan_share": {
        "vi": "Chỉ tiêu bằng {share} tổng số đơn vị máu của mọi năm trước đó.",
        "en": "The target is {share} of all units given before it.",
    },
    "hvc_required": {
        "vi": "## Tỷ lệ cần đạt\n\nVới {presenting} người đến hiến (tỷ lệ có mặt {show_rate}), "
        "mỗi lượt cần cho {required} đơn vị máu để đạt chỉ tiêu; lịch sử cho {hist_yield}. {verdict}",
        "en": "## The yield the target requires\n\nWith {presenting} officers presenting (show rate "
        "{show_rate}), each turn must give {required} units to reach the target; history gave "
        "{hist_yield}. {verdict}",
    },
    "hvc_required_below": {
        "vi": "Mức cần đạt thấp hơn mức lịch sử.",
        "en": "The target asks for less than history delivered.",
    },
    "hvc_required_above": {
        "vi": "Mức cần đạt cao hơn mức lịch sử: chỉ tiêu khó đạt nếu không có thêm người đăng ký.",
        "en": "The target asks for more than history delivered: it needs more registrations.",
    },
    "hvc_projection": {
        "vi": "## Dự báo\n\nMô hình: số đơn vị = số đăng ký × tỷ lệ có mặt × tỷ lệ đơn vị/lượt, "
        "với tỷ lệ lấy từ tổng số lịch sử. Độ dao động giữa các buổi lấy từ {n_obs} buổi hiến máu "
        "đã công bố (độ lệch chuẩn {sd}), chia cho căn bậc hai của {n_sessions} buổi.\n\n"
        "Dự báo {projected} đơn vị máu (khoảng 90%: {low} đến {high}); "
        "xác suất đạt chỉ tiêu {p}.",
        "en": "## Projection\n\nModel: units = registered × show rate × yield, the yield taken "
        "from the historical totals. Its spread between sessions comes from {n_obs} published "
        "sessions (standard deviation {sd}), divided by the square root of {n_sessions} sessions.\n\n"
        "Projected {projected} units (90% interval {low} to {high}); chance of meeting the "
        "target {p}.",
    },
    "hvc_pace_heading": {"vi": "## Nhịp độ cần thiết", "en": "## The pace the target sets"},
    "hvc_pace_session": {
        "vi": "Chỉ tiêu tương đương {value} đơn vị máu mỗi buổi.",
        "en": "The target means {value} units per session.",
    },
    "hvc_pace_day": {
        "vi": "Chỉ tiêu tương đương {value} đơn vị máu mỗi ngày.",
        "en": "The target means {value} units per day.",
    },
    "hvc_pace_unknown": {
        "vi": "Chưa công bố số buổi hay ngày, nên chưa tính được nhịp độ.",
        "en": "Neither sessions nor dates are published, so there is no pace to compute.",
    },
    "hvc_planning": {
        "vi": "## Lập kế hoạch đăng ký\n\nĐể có {conf} khả năng đạt chỉ tiêu cần khoảng {need} "
        "người đăng ký (với tỷ lệ có mặt {show_rate}); hiện có {registered}.",
        "en": "## Planning registrations\n\nA {conf} chance of meeting the target needs about "
        "{need} registrations (at show rate {show_rate}); {registered} have registered.",
    },
    "hvc_where_both": {
        "vi": "{sessions} buổi tại {sites} điểm",
        "en": "{sessions} sessions at {sites} sites",
    },
    "hvc_where_sites": {
        "vi": "{sites} điểm (số buổi chưa công bố)",
        "en": "{sites} sites (sessions not published)",
    },
    "hvc_where_unknown": {"vi": "Số buổi và số điểm chưa công bố", "en": "Sessions and sites not published"},
    "hvc_no_history": {
        "vi": "## Lịch sử\n\nChưa có số liệu tích lũy nào được công bố trước chiến dịch này.",
        "en": "## History\n\nNo cumulative totals were published before this campaign.",
    },
    "hvc_no_history_projection": {
        "vi": "Không có số liệu lịch sử trước chiến dịch này, nên không tính được tỷ lệ lịch sử "
        "và không dự báo.",
        "en": "With no history published before this campaign there is no historical yield, "
        "so there is no projection.",
    },
    "hvc_key_figures": {"vi": "## Các chỉ số chính", "en": "## Key figures"},
    "hvc_no_projection": {
        "vi": "Chưa có số đăng ký cho chiến dịch này, nên không dự báo được.",
        "en": "No registration figure is published for this campaign, so there is no projection.",
    },
    # chart texts
    "chart_cumulative_title": {
        "vi": "Đơn vị máu tích lũy trước chiến dịch và chỉ tiêu {year}",
        "en": "Units given before the campaign, with the {year} target on top",
    },
    "chart_cumulative_y": {"vi": "Đơn vị máu", "en": "Units"},
    "chart_before": {"vi": "Tích lũy đến {date}", "en": "Cumulative to {date}"},
    "chart_target": {"vi": "Chỉ tiêu {year}", "en": "{year} target"},
    "chart_yield_title": {
        "vi": "Tỷ lệ đơn vị/lượt: cần đạt so với lịch sử",
        "en": "Yield the target requires against what history delivered",
    },
    "chart_yield_x": {"vi": "Đơn vị máu trên mỗi lượt", "en": "Units per turn"},
    "chart_required": {"vi": "Cần đạt {year}", "en": "Required {year}"},
    "chart_historical": {"vi": "Lịch sử", "en": "Historical"},
    "chart_sessions": {"vi": "Buổi hiến máu đã công bố", "en": "Published sessions"},
    "chart_projection_title": {
        "vi": "Dự báo số đơn vị máu và khoảng 90%",
        "en": "Projected units with its 90% interval",
    },
    "chart_units": {"vi": "Đơn vị máu", "en": "Units"},
    "chart_density": {"vi": "Mật độ", "en": "Density"},
    "chart_interval": {"vi": "Khoảng 90%", "en": "90% interval"},
    "chart_planning_title": {
        "vi": "Số đăng ký cần theo mức tin cậy",
        "en": "Registrations needed by confidence",
    },
    "chart_confidence": {"vi": "Mức tin cậy đạt chỉ tiêu", "en": "Confidence of meeting the target"},
    "chart_registrations": {"vi": "Số đăng ký", "en": "Registrations"},
    "chart_registered_now": {"vi": "Đăng ký hiện có", "en": "Registered now"},
}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def t(key: str, lang: str, **fields: object) -> str:
    """The label `key` in `lang`, with `{fields}` filled in."""
    text = LABELS[key][check_lang(lang)]
    return text.format(**fields) if fields else text


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: float | None, lang: str) -> str:
    """A whole number with the locale's thousands separator (26.203 / 26,203)."""
    if _missing(value):
        return t("missing", lang)
    return format_decimal(round(value), format="#,##0", locale=_LOCALES[check_lang(lang)])


def fmt_num(value: float | None, lang: str, digits: int = 1) -> str:
    """A decimal number with `digits` places (0,853 / 0.853)."""
    if _missing(value):
        return t("missing", lang)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_LOCALES[check_lang(lang)])


def fmt_pct(value: float | None, lang: str, digits: int = 1) -> str:
    """A share as a percentage (10,3% / 10.3%)."""
    if _missing(value):
        return t("missing", lang)
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=_LOCALES[check_lang(lang)])


def fmt_date(value: dt.date | None, lang: str) -> str:
    """Day-first in Vietnamese (04/08/2023), '4 Aug 2023' in English."""
    if _missing(value):
        return t("missing", lang)
    pattern = "dd/MM/yyyy" if check_lang(lang) == "vi" else "d MMM yyyy"
    return _babel_format_date(value, format=pattern, locale=_LOCALES[lang])


def fmt_qualified(text: str, qualifier: str, lang: str) -> str:
    """Put a qualifier word before a formatted number ("ít nhất 28.000")."""
    word = QUALIFIER_WORDS[check_lang(lang)].get(qualifier or "exact", "")
    return f"{word} {text}".strip()


def register(labels: dict[str, dict[str, str]]) -> None:
    """Add a module's own labels (each key with a 'vi' and an 'en' text)."""
    for key, texts in labels.items():
        missing = set(LANGS) - set(texts)
        if missing:
            raise ValueError(f"label {key!r} lacks {', '.join(sorted(missing))}")
        if key in LABELS and LABELS[key] != texts:
            raise ValueError(f"label {key!r} is already defined differently")
        LABELS[key] = texts


def fmt_q(number, lang: str, digits: int = 0) -> str:
    """A qualified number in words: 'at least 28,000' / 'ít nhất 28.000'."""
    value = fmt_int(number.value, lang) if digits == 0 else fmt_num(number.value, lang, digits)
    return fmt_qualified(value, number.qualifier, lang)
