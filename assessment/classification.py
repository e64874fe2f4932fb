"""Sectors (GB/T 4754-2017), provinces (GB/T 2260) and the SME size bands of 工信部联企业〔2011〕300号."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

SECTORS = [
    ("A", "A 农、林、牧、渔业 / Agriculture, forestry, animal husbandry and fishery"),
    ("B", "B 采矿业 / Mining"),
    ("C", "C 制造业 / Manufacturing"),
    ("D", "D 电力、热力、燃气及水生产和供应业 / Electricity, heat, gas and water"),
    ("E", "E 建筑业 / Construction"),
    ("F", "F 批发和零售业 / Wholesale and retail"),
    ("G", "G 交通运输、仓储和邮政业 / Transport, storage and post"),
    ("H", "H 住宿和餐饮业 / Accommodation and catering"),
    ("I", "I 信息传输、软件和信息技术服务业 / Information transmission, software and IT services"),
    ("J", "J 金融业 / Finance"),
    ("K", "K 房地产业 / Real estate"),
    ("L", "L 租赁和商务服务业 / Leasing and business services"),
    ("M", "M 科学研究和技术服务业 / Scientific research and technical services"),
    ("N", "N 水利、环境和公共设施管理业 / Water, environment and public facilities"),
    ("O", "O 居民服务、修理和其他服务业 / Resident services, repair and other services"),
    ("P", "P 教育 / Education"),
    ("Q", "Q 卫生和社会工作 / Health and social work"),
    ("R", "R 文化、体育和娱乐业 / Culture, sports and entertainment"),
    ("S", "S 公共管理、社会保障和社会组织 / Public administration and social organisations"),
    ("T", "T 国际组织 / International organisations"),
]

PROVINCES = [
    ("11", "北京市 Beijing"),
    ("12", "天津市 Tianjin"),
    ("13", "河北省 Hebei"),
    ("14", "山西省 Shanxi"),
    ("15", "内蒙古自治区 Inner Mongolia"),
    ("21", "辽宁省 Liaoning"),
    ("22", "吉林省 Jilin"),
    ("23", "黑龙江省 Heilongjiang"),
    ("31", "上海市 Shanghai"),
    ("32", "江苏省 Jiangsu"),
    ("33", "浙江省 Zhejiang"),
    ("34", "安徽省 Anhui"),
    ("35", "福建省 Fujian"),
    ("36", "江西省 Jiangxi"),
    ("37", "山东省 Shandong"),
    ("41", "河南省 Henan"),
    ("42", "湖北省 Hubei"),
    ("43", "湖南省 Hunan"),
    ("44", "广东省 Guangdong"),
    ("45", "广西壮族自治区 Guangxi"),
    ("46", "海南省 Hainan"),
    ("50", "重庆市 Chongqing"),
    ("51", "四川省 Sichuan"),
    ("52", "贵州省 Guizhou"),
    ("53", "云南省 Yunnan"),
    ("54", "西藏自治区 Tibet"),
    ("61", "陕西省 Shaanxi"),
    ("62", "甘肃省 Gansu"),
    ("63", "青海省 Qinghai"),
    ("64", "宁夏回族自治区 Ningxia"),
    ("65", "新疆维吾尔自治区 Xinjiang"),
    ("71", "台湾省 Taiwan"),
    ("81", "香港特别行政区 Hong Kong"),
    ("82", "澳门特别行政区 Macao"),
]


class SizeBand(models.TextChoices):
    MICRO = "micro", _("micro")
    SMALL = "small", _("small")
    MEDIUM = "medium", _("medium")
    LARGE = "large", _("large")


@dataclass(frozen=True)
class Threshold:
    """Both measures at or above these values (None = not used) reach the band."""

    employees: int | None = None
    revenue: int | None = None  # 10k CNY
    assets: int | None = None  # 10k CNY


@dataclass(frozen=True)
class IndustryRule:
    name: str
    large: Threshold
    medium: Threshold
    small: Threshold


# 《中小企业划型标准规定》(工信部联企业〔2011〕300号), article 4. Amounts in 万元 (10k CNY).
# "Large" is the complement of the SME upper limit: an enterprise is SME when *either* measure is
# below it, so large needs both at or above it.
INDUSTRY_RULES: dict[str, IndustryRule] = {
    "agriculture": IndustryRule(
        "农、林、牧、渔业", Threshold(revenue=20000), Threshold(revenue=500), Threshold(revenue=50)
    ),
    "industry": IndustryRule("工业", Threshold(1000, 40000), Threshold(300, 2000), Threshold(20, 300)),
    "construction": IndustryRule(
        "建筑业",
        Threshold(revenue=80000, assets=80000),
        Threshold(revenue=6000, assets=5000),
        Threshold(revenue=300, assets=300),
    ),
    "wholesale": IndustryRule("批发业", Threshold(200, 40000), Threshold(20, 5000), Threshold(5, 1000)),
    "retail": IndustryRule("零售业", Threshold(300, 20000), Threshold(50, 500), Threshold(10, 100)),
    "transport": IndustryRule("交通运输业", Threshold(1000, 30000), Threshold(300, 3000), Threshold(20, 200)),
    "warehousing": IndustryRule("仓储业", Threshold(200, 30000), Threshold(100, 1000), Threshold(20, 100)),
    "postal": IndustryRule("邮政业", Threshold(1000, 30000), Threshold(300, 2000), Threshold(20, 100)),
    "accommodation": IndustryRule("住宿业", Threshold(300, 10000), Threshold(100, 2000), Threshold(10, 100)),
    "catering": IndustryRule("餐饮业", Threshold(300, 10000), Threshold(100, 2000), Threshold(10, 100)),
    "telecom": IndustryRule("信息传输业", Threshold(2000, 100000), Threshold(100, 1000), Threshold(10, 100)),
    "software": IndustryRule("软件和信息技术服务业", Threshold(300, 10000), Threshold(100, 1000), Threshold(10, 50)),
    "real_estate_development": IndustryRule(
        "房地产开发经营",
        Threshold(revenue=200000, assets=10000),
        Threshold(revenue=1000, assets=5000),
        Threshold(revenue=100, assets=2000),
    ),
    "property_management": IndustryRule("物业管理", Threshold(1000, 5000), Threshold(300, 1000), Threshold(100, 500)),
    "leasing_business_services": IndustryRule(
        "租赁和商务服务业", Threshold(300, assets=120000), Threshold(100, assets=8000), Threshold(10, assets=100)
    ),
    "other": IndustryRule("其他未列明行业", Threshold(300), Threshold(100), Threshold(10)),
}

# Which 2011 industries a GB/T 4754 section may be classified under; the first is the default.
# Finance (J) follows separate rules (银发〔2015〕309号), and public bodies (S, T) are not enterprises.
SECTOR_INDUSTRIES: dict[str, tuple[str, ...]] = {
    "A": ("agriculture",),
    "B": ("industry",),
    "C": ("industry",),
    "D": ("industry",),
    "E": ("construction",),
    "F": ("retail", "wholesale"),
    "G": ("transport", "warehousing", "postal"),
    "H": ("catering", "accommodation"),
    "I": ("software", "telecom"),
    "K": ("real_estate_development", "property_management"),
    "L": ("leasing_business_services",),
    "M": ("other",),
    "N": ("other",),
    "O": ("other",),
    "P": ("other",),
    "Q": ("other",),
    "R": ("other",),
}


class ClassificationError(ValueError):
    """The inputs cannot be classified; the message says why."""


def _reaches(threshold: Threshold, employees: int | None, revenue: Decimal | None, assets: Decimal | None) -> bool:
    measures = (
        (threshold.employees, employees, "employees"),
        (threshold.revenue, revenue, "annual revenue"),
        (threshold.assets, assets, "total assets"),
    )
    for limit, value, label in measures:
        if limit is None:
            continue
        if value is None:
            raise ClassificationError(f"The {label} figure is needed to classify this industry.")
        if value < limit:
            return False
    return True


def classify_size(
    *,
    sector: str,
    employees: int | None = None,
    revenue: Decimal | None = None,
    assets: Decimal | None = None,
    industry: str | None = None,
) -> SizeBand:
    """Return the size band of an enterprise under the 2011 SME classification rules."""
    allowed = SECTOR_INDUSTRIES.get(sector)
    if allowed is None:
        raise ClassificationError(f"Sector {sector} is not covered by the 2011 SME rules; choose the size band.")
    industry = industry or allowed[0]
    if industry not in allowed:
        raise ClassificationError(f"Industry {industry!r} does not belong to sector {sector}.")
    for name, value in (("employees", employees), ("annual revenue", revenue), ("total assets", assets)):
        if value is not None and value < 0:
            raise ClassificationError(f"The {name} figure cannot be negative.")
    rule = INDUSTRY_RULES[industry]
    for band, threshold in ((SizeBand.LARGE, rule.large), (SizeBand.MEDIUM, rule.medium), (SizeBand.SMALL, rule.small)):
        if _reaches(threshold, employees, revenue, assets):
            return band
    return SizeBand.MICRO
