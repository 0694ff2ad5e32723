"""Every page names the site's icon, so browsers show it and stop asking for /favicon.ico."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

import omov

pytestmark = pytest.mark.django_db


def test_the_home_page_links_the_icon_and_the_icon_is_an_svg(client: Any) -> None:
    page = client.get("/").content.decode()
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link is not None and link.group(1).endswith("omov/favicon.svg")
    icon = Path(omov.__file__).parent / "static" / "omov" / "favicon.svg"
    assert ElementTree.parse(icon).getroot().tag == "{http://www.w3.org/2000/svg}svg"
