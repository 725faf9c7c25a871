"""Time the 申报人员花名册 for N synthetic applicants: median ms of warm renders per format.

Usage: .venv/bin/python bench/roster.py [N=1000] [RUNS=5]
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdnum.cn import ric

from docgen.bootstrap import bootstrap
from docgen.documents import Renderer

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "喆", "赟"]
UYGHUR = ["阿不都热合曼·买买提", "古丽娜尔·艾则孜", "买买提江·吐尔逊", "热依拉·阿不都拉"]
UNITS = ["巴音郭楞蒙古自治州农业科学研究所", "库尔勒市第二中学", "和静县畜牧兽医站", "若羌县林业和草原局",
         "巴音郭楞蒙古自治州水利局塔里木河流域管理处水文水资源勘测中心"]
REGIONS = ["652801", "652822", "652826", "652827", "652828"]


def applicant(i: int, rng: random.Random) -> dict:
    """Return a valid synthetic applicant (GB 11643 check digit, gender from the 17th digit)."""
    gender = rng.choice("男女")
    seq = rng.randrange(0, 499) * 2 + (1 if gender == "男" else 0)
    body = f"{rng.choice(REGIONS)}{rng.randint(1965, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{seq:03d}"
    name = rng.choice(UYGHUR) if i % 5 == 0 else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
    return {"name": name, "gender": gender, "ethnicity": rng.choice(["汉族", "维吾尔族", "蒙古族", "回族", "哈萨克族"]),
            "political_status": rng.choice(["中共党员", "群众", "共青团员"]),
            "id_number": body + ric.calc_check_digit(body + "0"), "current_title": "助理工程师",
            "current_title_date": f"{rng.randint(2010, 2022)}-{rng.randint(1, 12):02d}-01", "target_title": "工程师",
            "work_unit": rng.choice(UNITS), "route": rng.choice(["初定", "授予", "评审"]),
            "passed": rng.choice([True, False, None])}


def payload(n: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    return {"unit": {"name": "巴音郭楞蒙古自治州人力资源和社会保障局"}, "specialty": "电力工程",
            "applicants": [applicant(i, rng) for i in range(n)]}


def main(n: int = 1000, runs: int = 5) -> None:
    bootstrap()   # as every entry point: WeasyPrint patched, fonts configured
    renderer, data = Renderer(), payload(n)
    for fmt in ("pdf", "docx", "xlsx"):
        renderer.render("roster", data, fmt)   # warm: fonts, templates, metrics
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            renderer.render("roster", data, fmt)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{fmt}: median {statistics.median(times):.0f} ms over {runs} runs "
              f"(min {min(times):.0f}, max {max(times):.0f}) for {n} applicants")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
