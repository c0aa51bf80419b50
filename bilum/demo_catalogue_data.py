"""The demonstration's producer groups: who makes the offerings, region by region, told in English, French and
Japanese for the catalogues' booklets.

Pure data, no I/O. Each item is the body of ``POST /api/v1/producer-groups`` but its picture, which
``bilum.demo_pictures.group_picture(region)`` draws. One group per region of ``bilum.demo_data``'s producers; the
groups are fictitious, like everything in the demonstration, and no story names a real person, but the places are
real."""

GROUPS = [
    {
        "name": "Goroka Valley Weavers and Growers",
        "region": "Eastern Highlands",
        "story": (
            "Around Goroka and along the road to Lufa, women loop bilums on their verandas and tend coffee gardens on "
            "the slopes below Mount Michael. The co-operative roasts in Goroka town, so the coffee in the bag is "
            "grown, dried and roasted within a day's drive. Members meet each month at Kabiufa to share out orders "
            "and yarn."
        ),
        "translations": {
            "fr": {
                "name": "Tisseuses et caféicultrices de la vallée de Goroka",
                "story": (
                    "Autour de Goroka et le long de la route de Lufa, les femmes tissent des bilums sous leur véranda "
                    "et entretiennent des jardins de café sur les pentes du mont Michael. La coopérative torréfie à "
                    "Goroka même : le café du sachet est cultivé, séché et torréfié à moins d'une journée de route. "
                    "Les membres se retrouvent chaque mois à Kabiufa pour se répartir les commandes et la laine."
                ),
            },
            "ja": {
                "name": "ゴロカ・バレー 織り手とコーヒー生産者の会",
                "story": (
                    "ゴロカの周辺からルファへ向かう道沿いで、女性たちは家の軒先でビルムを編み、マイケル山のふもとの"
                    "斜面でコーヒー畑の手入れをしています。協同組合の焙煎所はゴロカの町にあり、袋の中のコーヒーは"
                    "車で一日の範囲で栽培・乾燥・焙煎されたものです。メンバーは毎月カビウファに集まり、注文と毛糸を"
                    "分け合います。"
                ),
            },
        },
    },
    {
        "name": "Hagen and Dei Bilum Weavers",
        "region": "Western Highlands",
        "story": (
            "In the villages around Mount Hagen and up in Dei, bilum looping fills the hours between garden work and "
            "market days. The older weavers keep their clans' diamond and zig-zag patterns, while younger members "
            "bring in bright new colours. A bag sold here pays school fees and buys seedlings for the family garden."
        ),
        "translations": {
            "fr": {
                "name": "Tisseuses de bilums de Hagen et de Dei",
                "story": (
                    "Dans les villages autour de Mount Hagen et plus haut à Dei, le tissage des bilums occupe les "
                    "heures entre le travail au jardin et les jours de marché. Les aînées gardent les motifs de "
                    "losanges et de zigzags de leur clan, tandis que les plus jeunes apportent des couleurs vives. "
                    "Un sac vendu ici paie les frais de scolarité et des plants pour le jardin familial."
                ),
            },
            "ja": {
                "name": "ハーゲン・デイ ビルム織り手の会",
                "story": (
                    "マウントハーゲン周辺の村々や、さらに奥のデイでは、畑仕事と市場の日のあいだの時間がビルム編みに"
                    "あてられます。年長の織り手は一族に伝わるひし形とジグザグの模様を守り、若いメンバーは鮮やかな"
                    "新しい色を取り入れています。ここで売れたバッグ一つが、子どもの学費や家庭菜園の苗になります。"
                ),
            },
        },
    },
    {
        "name": "Enga Highland Weavers",
        "region": "Enga",
        "story": (
            "High in the Lai valley around Wabag, where the mornings are cold and misty, women loop bilums from wool "
            "and bush string as their grandmothers did. Each weaver marks her bags with a colour of her own in the "
            "top band. The bags travel to Mount Hagen by road, a long day's journey, before they leave the Highlands."
        ),
        "translations": {
            "fr": {
                "name": "Tisseuses des hautes terres d'Enga",
                "story": (
                    "Dans la haute vallée de la Lai, autour de Wabag, où les matins sont froids et brumeux, les femmes "
                    "tissent des bilums en laine et en fibre de brousse comme le faisaient leurs grands-mères. Chaque "
                    "tisseuse signe ses sacs d'une couleur bien à elle dans la bande du haut. Les sacs rejoignent "
                    "Mount Hagen par la route, une longue journée de voyage, avant de quitter les Hautes-Terres."
                ),
            },
            "ja": {
                "name": "エンガ高地 織り手の会",
                "story": (
                    "ワバグ周辺のライ川上流の谷は、朝は冷え込み霧に包まれます。女性たちは祖母の代と同じように、"
                    "毛糸や森の植物の糸でビルムを編んでいます。織り手はそれぞれ、いちばん上の帯に自分だけの色を"
                    "入れてバッグに印をつけます。バッグは丸一日かけて道路でマウントハーゲンへ運ばれ、そこから高地の"
                    "外へ出ていきます。"
                ),
            },
        },
    },
    {
        "name": "Wahgi Valley Coffee Mothers",
        "region": "Jiwaka",
        "story": (
            "On the floor of the Wahgi valley, between Banz and Kudjip, mothers' groups grow arabica in the shade of "
            "casuarina trees. They pick only ripe red cherry, pulp it the same day and dry the parchment on raised "
            "mats. Many also loop bilums, and sell both through the co-operative instead of at the roadside."
        ),
        "translations": {
            "fr": {
                "name": "Mères caféicultrices de la vallée de la Wahgi",
                "story": (
                    "Au fond de la vallée de la Wahgi, entre Banz et Kudjip, des groupes de mères cultivent l'arabica "
                    "à l'ombre des casuarinas. Elles ne cueillent que les cerises bien rouges, les dépulpent le jour "
                    "même et sèchent le café en parche sur des claies surélevées. Beaucoup tissent aussi des bilums, "
                    "et vendent les deux par la coopérative plutôt qu'au bord de la route."
                ),
            },
            "ja": {
                "name": "ワギ・バレー コーヒーを育てる母親の会",
                "story": (
                    "バンズとクジップのあいだに広がるワギ渓谷の谷底で、母親たちのグループがモクマオウの木陰で"
                    "アラビカ種を育てています。摘むのは赤く熟した実だけで、その日のうちに果肉を除き、高床の棚で"
                    "パーチメントを乾かします。ビルムを編むメンバーも多く、どちらも道端ではなく協同組合を通して"
                    "販売しています。"
                ),
            },
        },
    },
    {
        "name": "Simbu Mountain Coffee Women",
        "region": "Simbu",
        "story": (
            "Simbu's gardens cling to steep limestone slopes below Mount Wilhelm, the country's highest peak. Women "
            "grow coffee in small plots beside sweet potato and beans, and carry the dried parchment down to Kundiawa "
            "on foot when landslides close the road. Their coffee is known for a bright, clean cup."
        ),
        "translations": {
            "fr": {
                "name": "Caféicultrices des montagnes de Simbu",
                "story": (
                    "Les jardins de Simbu s'accrochent aux pentes calcaires abruptes sous le mont Wilhelm, le plus "
                    "haut sommet du pays. Les femmes cultivent le café sur de petites parcelles, à côté des patates "
                    "douces et des haricots, et descendent le café en parche à pied jusqu'à Kundiawa quand les "
                    "glissements de terrain coupent la route. Leur café est réputé pour sa tasse vive et nette."
                ),
            },
            "ja": {
                "name": "シンブ山地 コーヒーを育てる女性の会",
                "story": (
                    "シンブの畑は、国内最高峰ウィルヘルム山のふもとの険しい石灰岩の斜面に張りつくように広がって"
                    "います。女性たちはサツマイモや豆の畑の隣の小さな区画でコーヒーを育て、地すべりで道が閉ざされると、"
                    "乾燥させたパーチメントを歩いてクンディアワまで運びます。その味は明るくクリーンな口当たりで"
                    "知られています。"
                ),
            },
        },
    },
    {
        "name": "Menyamya Bilum Mothers",
        "region": "Morobe",
        "story": (
            "Menyamya lies in the mountains of Morobe with no road to the coast: goods leave on the small planes that "
            "land twice a week. The mothers' group loops bilums in the long evenings and packs them flat for the "
            "flight to Lae. Selling through the co-operative means a place on the plane is booked for their bags."
        ),
        "translations": {
            "fr": {
                "name": "Mères tisseuses de bilums de Menyamya",
                "story": (
                    "Menyamya se trouve dans les montagnes du Morobe, sans route vers la côte : les marchandises "
                    "partent par les petits avions qui s'y posent deux fois par semaine. Le groupe de mères tisse des "
                    "bilums pendant les longues soirées et les plie à plat pour le vol vers Lae. Vendre par la "
                    "coopérative, c'est avoir une place réservée dans l'avion pour leurs sacs."
                ),
            },
            "ja": {
                "name": "メニャミャ ビルムを編む母親の会",
                "story": (
                    "モロベ州の山あいにあるメニャミャには海岸へ通じる道路がなく、物資は週に二度着陸する小型機で"
                    "運び出されます。母親たちのグループは長い夜にビルムを編み、ラエ行きの便に載せるため平らに"
                    "たたんで梱包します。協同組合を通して販売すれば、バッグのための座席が飛行機に確保されます。"
                ),
            },
        },
    },
]
