"""Name pools and bio fragments for fictional people.

Names come from pools that reflect West Yorkshire's communities and are combined at random
(with a fixed seed); any likeness to a real person is a coincidence. Phone numbers use
Ofcom's ranges reserved for drama (0113 496 0xxx, 01632 960xxx, 07700 900xxx), so no demo
number reaches anyone.
"""

from __future__ import annotations

import random
import re
import unicodedata


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: (weight, given names, family names)
POOLS: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        66,
        _words(
            """
            Adam Alison Amy Andrew Anna Ben Beth Callum Carol Chloe Claire Daniel Dawn
            Deborah Elin Emma Eric Fiona Gary Gemma Graham Gwen Hannah Harriet Helen Ian
            Isaac Jade Jo Jonathan Karen Kate Kieran Laura Leanne Lewis Liam Lisa Mandy Mark
            Martin Neil Niall Nicola Olivia Orla Paul Paula Peter Quentin Rachel Rebecca
            Richard Rosa Ruth Sarah Simon Sophie Stephen Stuart Tom Tracy Vicky Wendy Will
            """
        ),
        _words(
            """
            Ackroyd Armitage Barraclough Beaumont Booth Broadbent Brook Crowther Dyson
            Eastwood Firth Greenwood Haigh Hinchliffe Hirst Holroyd Ibbotson Kaye Lockwood
            Marsden Mellor Mitchell Naylor Oldroyd Pickles Priestley Ramsden Rhodes Schofield
            Senior Shaw Sutcliffe Sykes Thewlis Tolson Uttley Varley Walker Whiteley Wood
            O'Hara Murphy Campbell Evans Clarke Hughes
            """
        ),
    ),
    (
        26,
        _words(
            """
            Aisha Amir Asif Bilal Fatima Faisal Hamid Harpreet Imran Jaspal Kashif Maryam
            Mohammed Nadia Naveed Omar Priya Qasim Rizwan Sabina Sadia Samina Sanjay Shabir
            Tahir Umar Usman Yasmin Yusuf Zara Zeenat
            """
        ),
        _words(
            """
            Ahmed Akhtar Ali Bashir Chauhan Desai Hussain Iqbal Kazi Khan Lad Mahmood Mistry
            Pandor Patel Rashid Sharif Singh Zaman
            """
        ),
    ),
    (5, _words("Agnieszka Dariusz Ewa Marek Tomasz Zofia"), _words("Kowalski Nowak Wisniewska")),
    (3, _words("Chidi Grace Kwame Nia Tunde"), _words("Adeyemi Mensah Okafor Owusu")),
)


class NamePicker:
    """Draws full names no one else in the demo has."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def pick(self) -> tuple[str, str]:
        weights = [w for w, _, _ in POOLS]
        while True:
            _, given, family = self.rng.choices(POOLS, weights=weights)[0]
            name = (self.rng.choice(given), self.rng.choice(family))
            if " ".join(name) not in self.used:
                self.used.add(" ".join(name))
                return name


def email_local(given: str, family: str) -> str:
    """``("Zara", "O'Hara")`` → ``"zara.ohara"``."""
    text = unicodedata.normalize("NFKD", f"{given}.{family}").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z.]", "", text.lower())


# -- councillor bios ---------------------------------------------------------------------------

BACKGROUNDS: tuple[str, ...] = (
    "A former primary school teacher, {first} has lived in {ward} for more than twenty years.",
    "{first} worked as a nurse at Huddersfield Royal Infirmary before standing for the council.",
    "{first} runs a small engineering business and grew up in {ward}.",
    "Before election {first} spent fifteen years in the voluntary sector, running a "
    "community centre.",
    "{first} is a retired police officer and a school governor.",
    "A chartered accountant by training, {first} moved to {ward} with their family in 2009.",
    "{first} has worked in local retail all their working life and chairs a residents' "
    "association.",
    "{first} trained as a civil engineer and still works part-time in the rail industry.",
    "A trade union representative for many years, {first} was born and raised in {ward}.",
    "{first} is a youth worker and volunteers with a local food bank.",
)

INTERESTS: tuple[str, ...] = (
    "road safety and school-gate parking",
    "parks, playgrounds and green spaces",
    "town centre regeneration",
    "affordable housing and empty homes",
    "flooding and drainage",
    "support for carers and older people",
    "bus services and active travel",
    "fly-tipping and litter",
    "youth provision and sport",
    "local businesses and high streets",
    "mental health services",
    "climate action and home insulation",
)

SURGERIES: tuple[str, ...] = (
    "Ward surgeries are held on the **first Saturday of each month** at the local library.",
    "Surgeries are by appointment: email to arrange a time.",
    "You can meet {first} at the community centre on the **second Thursday** of each month.",
)
