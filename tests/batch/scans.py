"""Realistic scans an applicant uploads: a phone photo of a certificate, a 2-page PDF, a landscape scan."""
from __future__ import annotations

import io
import random
from functools import cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from docgen.render import fonts


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(fonts.font_file("黑体"), size)


def _certificate(width: int, height: int, lines: list[str], seed: int) -> Image.Image:
    """Draw a certificate: cream paper, a double border, a title, lines of text and a red seal."""
    rng = random.Random(seed)
    page = Image.new("RGB", (width, height), (246, 240, 222))
    draw = ImageDraw.Draw(page)
    m = width // 20
    draw.rectangle([m, m, width - m, height - m], outline=(150, 40, 30), width=max(4, width // 300))
    draw.rectangle([m * 1.4, m * 1.4, width - m * 1.4, height - m * 1.4], outline=(150, 40, 30), width=2)
    size = width // 14
    draw.text((width // 2, m * 3), lines[0], font=_font(size), fill=(120, 20, 20), anchor="mt")
    body = _font(width // 32)
    for i, line in enumerate(lines[1:]):
        draw.text((m * 2.5, m * 5 + i * width // 18), line, font=body, fill=(25, 25, 25))
    r = width // 9
    cx, cy = width - m * 4, height - m * 5
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(210, 30, 30), width=max(6, width // 200))
    for _ in range(width // 40):     # specks of dust and paper grain
        x, y = rng.randrange(width), rng.randrange(height)
        draw.point((x, y), fill=(rng.randrange(180, 230),) * 3)
    return page


@cache
def phone_photo() -> bytes:
    """Return a 3000×4000 JPEG: a certificate photographed on a desk, slightly turned, lit unevenly."""
    card = _certificate(2400, 3300, ["资格证书", "姓名：张三", "专业：农业科学", "资格名称：农业科学助理研究员",
                                     "批准日期：2019年8月", "证书编号：6528012019000123"], seed=1)
    card = card.rotate(3.5, expand=True, fillcolor=(92, 70, 52), resample=Image.Resampling.BICUBIC)
    desk = Image.new("RGB", (3000, 4000), (92, 70, 52))
    desk.paste(card, ((3000 - card.width) // 2, (4000 - card.height) // 2))
    light = Image.linear_gradient("L").resize((3000, 4000)).point(lambda v: 200 + v // 5)
    photo = Image.composite(desk, Image.new("RGB", desk.size, (30, 25, 20)), light).filter(ImageFilter.GaussianBlur(1.2))
    grain = Image.merge("RGB", [Image.effect_noise((3000, 4000), 60)] * 3)   # sensor noise: a phone's file size
    photo = Image.blend(photo, grain, 0.08)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=88)
    return out.getvalue()


@cache
def two_page_pdf() -> bytes:
    """Return a 2-page A4 PDF at 150 dpi, as a scanner's "scan to PDF" makes of a 学历证书 and its back."""
    pages = [_certificate(1240, 1754, ["毕业证书", "学生张三，于2012年9月至2016年7月", "在农学专业四年制本科学习",
                                       "修完教学计划规定的全部课程，成绩合格，准予毕业。"], seed=2),
             _certificate(1240, 1754, ["学历证书电子注册备案表", "姓名：张三", "证书编号：107121201605000321",
                                       "在线验证码：A1B2C3D4E5F6G7H8"], seed=3)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out.getvalue()


@cache
def landscape_scan() -> bytes:
    """Return a landscape PNG scan (A4 across at 150 dpi): a 年度考核登记表 turned on its side."""
    page = _certificate(1754, 1240, ["年度考核登记表", "姓名：张三  单位：巴音郭楞蒙古自治州农业科学研究所",
                                     "考核年度：2023  考核等次：合格", "单位意见：同意  主管部门意见：同意"], seed=4)
    out = io.BytesIO()
    page.convert("L").save(out, "PNG", optimize=True)
    return out.getvalue()
