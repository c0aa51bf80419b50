"""The demonstration's catalogue: the co-operative's offerings in French and Japanese with their pictures, its
producer groups' stories, one themed catalogue printed as a flyer and a booklet, and the link it shares with the
store in Tokyo, whose buyer asks for a quote through it. All through the public API, as a co-operative would."""

import base64
from pathlib import Path

import requests

from bilum import demo_data, demo_pictures
from bilum.demo_catalogue_data import GROUPS
from bilum.demo_http import DemoFailed

THEME_NAME = "highlands-2027"
# The files the demo prints: (layout, language); the booklet also in French for the buyers in Nouméa's shops.
PRINTS = (("flyer", "en"), ("flyer", "ja"), ("leaflet", "en"), ("booklet", "en"), ("booklet", "fr"), ("booklet", "ja"))

# Each offering's name, description and story in the buyers' languages (the bodies' own are English).
OFFERING_TEXTS = {
    "BLM-BAG-M": {
        "fr": {
            "materials": "laine et fil acrylique, bouclés à la main",
            "colour": "motifs traditionnels des Hautes-Terres",
            "size": "corps d’environ 40 x 45 cm, bandoulière de 90 cm",
            "name": "Sac bilum des Hautes-Terres, moyen",
            "description": (
                "Sac bilum bouclé à la main, avec une longue bandoulière extensible, fait par des tisserandes des "
                "Hautes-Terres de Papouasie-Nouvelle-Guinée. Chaque sac est unique et demande une à deux semaines "
                "de travail."
            ),
            "story": (
                "Le bilum se transmet de mère en fille ; les ventes paient les frais de scolarité et les visites au "
                "dispensaire du village de la tisserande."
            ),
        },
        "ja": {
            "materials": "ウールとアクリル糸、手編み",
            "colour": "ハイランド伝統の模様",
            "size": "本体 約40×45 cm、ストラップ 90 cm",
            "name": "ハイランド・ビルム・バッグ（M）",
            "description": (
                "パプアニューギニア高地の女性たちが手で編み上げた、伸縮性のある長いストラップ付きのビルム・バッグです。"
                "一つとして同じものはなく、一つ編むのに一〜二週間かかります。"
            ),
            "story": "ビルム編みは母から娘へと受け継がれ、売り上げは村の子どもたちの学費や診療所の費用になります。",
        },
    },
    "BLM-BAG-S": {
        "fr": {
            "materials": "laine et fil acrylique, doublure en coton",
            "colour": "rayures vives, dessin propre à chaque tisserande",
            "size": "corps d’environ 22 x 25 cm, bandoulière de 110 cm",
            "name": "Petit sac bilum en bandoulière",
            "description": (
                "Petit sac bilum bouclé à la main, avec une poche intérieure doublée, à la taille d’un téléphone, "
                "d’un porte-monnaie et de clés."
            ),
            "story": (
                "Un ouvrage plus rapide que le grand sac, souvent bouclé par les plus jeunes tisserandes le soir, "
                "après le travail au jardin."
            ),
        },
        "ja": {
            "materials": "ウールとアクリル糸、綿の裏地",
            "colour": "編み手それぞれの鮮やかなストライプ",
            "size": "本体 約22×25 cm、ストラップ 110 cm",
            "name": "ビルム・ショルダーバッグ（S）",
            "description": (
                "内ポケット付きの小さな手編みビルム・ショルダーバッグ。スマートフォン、財布、鍵がちょうど入る大きさです。"
            ),
            "story": "大きなバッグより手早く編める品で、畑仕事を終えた夕方に若い編み手たちがよく編んでいます。",
        },
    },
    "COF-ARA-250": {
        "fr": {
            "materials": "100 % arabica en grains, torréfaction moyenne",
            "colour": "sachet kraft naturel à valve",
            "size": "250 g",
            "name": "Café arabica des Hautes-Terres, 250 g",
            "description": (
                "Arabica en grains cultivé dans de petits jardins entre 1 500 et 1 900 m, séché au soleil et torréfié "
                "à Goroka (torréfaction moyenne)."
            ),
            "story": (
                "Cultivé par des groupes de caféicultrices qui cueillent, dépulpent et sèchent elles-mêmes leurs "
                "cerises au lieu de les vendre fraîches au bord de la route."
            ),
        },
        "ja": {
            "materials": "アラビカ種100%、豆のまま、中煎り",
            "colour": "バルブ付きクラフト袋",
            "size": "250 g",
            "name": "ハイランド・アラビカ・コーヒー豆 250 g",
            "description": (
                "標高1,500〜1,900 mの小規模農園で育ったアラビカ種の豆を天日で乾燥させ、ゴロカで中煎りに焙煎しました。"
            ),
            "story": (
                "女性が中心の生産グループが、実を道端で生のまま売るのではなく、"
                "自ら摘み取り、果肉を除き、乾燥させています。"
            ),
        },
    },
}

THEME = {
    "name": THEME_NAME,
    "title": "Made in the Highlands 2027",
    "description": (
        "Hand-looped bilum bags and smallholder arabica from the Highlands of Papua New Guinea, made by the women of "
        "the Kumul co-operative and sold at a fair price agreed with them."
    ),
    "arrange_by": "price",
    "how_to_order": (
        "Ask for a quote with the quantities and the date you need them: we answer within two working days with the "
        "price delivered to you, the producers who will make your order and when it can ship."
    ),
    "contact": {"name": demo_data.ORGANISATION["name"], "email": demo_data.AGGREGATOR_EMAIL, "phone": "+675 7100 2026"},
    "translations": {
        "fr": {
            "title": "Fait dans les Hautes-Terres 2027",
            "description": (
                "Sacs bilum bouclés à la main et arabica de petits producteurs des Hautes-Terres de Papouasie-Nouvelle-"
                "Guinée, faits par les femmes de la coopérative Kumul et vendus à un prix juste convenu avec elles."
            ),
            "how_to_order": (
                "Demandez un devis avec les quantités et la date souhaitée : nous répondons sous deux jours ouvrés "
                "avec le prix livré, les productrices qui feront votre commande et sa date d’expédition."
            ),
        },
        "ja": {
            "title": "ハイランドの手仕事 2027",
            "description": (
                "パプアニューギニア高地のクムル協同組合の女性たちが手で編んだビルム・バッグと、小規模農園のアラビカ・コーヒー。"
                "作り手と合意した公正な価格でお届けします。"
            ),
            "how_to_order": (
                "ご希望の数量と納期を添えてお見積もりをご依頼ください。二営業日以内に、お届け価格、ご注文を作る生産者、"
                "出荷時期をご連絡します。"
            ),
        },
    },
}

# What the store in Tokyo asks through the link it was sent.
QUOTE_REQUEST = {
    "name": "Aiko Tanaka",
    "company": "Kiriko Lifestyle Store",
    "email": "kiriko.buying@example.com",
    "country": "JP",
    "message": "来年の春の展示会用に、見積もりをお願いします。Delivery to Tokyo by the end of March.",
}


class DemoCatalogue:
    """Mixed into ``Demo``: needs ``api``, ``staff``, ``offering_ids``, ``catalogue_dir`` and ``say``."""

    catalogues: tuple[dict, ...] = ()
    catalogue_link = ""

    def catalogue_report(self) -> dict:
        """Every file printed (``{"name", "layout", "language", "path"}``) and the shared link."""
        return {"catalogues": list(self.catalogues), "catalogue_link": self.catalogue_link}

    def publish_catalogue(self) -> None:
        aggregator = self.staff["aggregator"]
        pictures = 0
        for sku, offering_id in self.offering_ids.items():
            for position, (content_type, data) in enumerate(demo_pictures.offering_pictures(sku)):
                aggregator.request(
                    "PUT",
                    f"/api/v1/offerings/{offering_id}/images/{position}",
                    data=data,
                    headers={"Content-Type": content_type},
                )
                pictures += 1
        for group in GROUPS:
            content_type, data = demo_pictures.group_picture(group["region"])
            picture = {"content_type": content_type, "data": base64.b64encode(data).decode()}
            aggregator.post("/api/v1/producer-groups", {**group, "picture": picture})
        aggregator.post(
            "/api/v1/catalogues", {**THEME, "selection": {"offering_ids": sorted(self.offering_ids.values())}}
        )
        self.say(f"{pictures} product pictures and {len(GROUPS)} producer groups' stories for the catalogue")
        folder = Path(self.catalogue_dir)
        folder.mkdir(parents=True, exist_ok=True)
        printed = []
        for layout, language in PRINTS:
            document = aggregator.download(
                f"/api/v1/catalogues/{THEME_NAME}/export", format="pdf", layout=layout, language=language
            )
            path = folder / f"{THEME_NAME}-{layout}-{language}.pdf"
            path.write_bytes(document)
            printed.append({"name": THEME_NAME, "layout": layout, "language": language, "path": str(path)})
        self.catalogues = tuple(printed)
        self.say(f"catalogue {THEME['title']!r} printed: {', '.join(Path(c['path']).name for c in self.catalogues)}")
        self.share_catalogue(aggregator)

    def share_catalogue(self, aggregator) -> None:
        """The link goes to the store in Tokyo, in Japanese; its buyer opens it without an account and asks for a
        quote, which reaches the co-operative."""
        _, link = aggregator.post(f"/api/v1/catalogues/{THEME_NAME}/links", {"language": "ja", "expires_in_days": 90})
        self.catalogue_link = self.api.base_url + link["path"]
        public = requests.Session()
        page = public.get(self.catalogue_link, timeout=30)
        if page.status_code != 200 or "ハイランド" not in page.text:
            raise DemoFailed(f"the shared catalogue did not open without an account: {page.status_code}")
        skus = sorted(self.offering_ids)
        quantities = {"BLM-BAG-S": 120, "COF-ARA-250": 200}
        answer = public.post(
            self.catalogue_link + "/quote",
            json={
                **QUOTE_REQUEST,
                "items": [{"sku": sku, "quantity": quantities[sku]} for sku in skus if sku in quantities],
            },
            timeout=30,
        )
        if answer.status_code not in (200, 201):
            raise DemoFailed(f"the quote request was refused: {answer.status_code} {answer.text[:300]}")
        self.say(f"shared with {QUOTE_REQUEST['company']} at {self.catalogue_link}; it asked for a quote")
