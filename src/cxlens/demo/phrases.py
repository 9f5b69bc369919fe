"""Demo comment phrase bank: what customers say, by topic, sentiment and language.

The demo-data generator picks a fake customer's comment from here, so that the words fit the
score they gave and the touchpoint they were at: a detractor at ``delivery`` complains about a
late or damaged parcel, a promoter after ``support-chat`` praises a quick, kind agent, and so on.
That keeps the demo dashboards believable and gives the text analytics (topics, sentiment,
languages) something real to find.

Layout:

* :data:`TOPICS` names each topic and says in a few English words what it is about.
* :data:`PHRASES` ``[topic][sentiment][language]`` is a tuple of at least four distinct
  comments. Sentiment is ``"negative"``, ``"neutral"`` or ``"positive"``; every topic has all
  three, in every language of :data:`LANGUAGES`. Negative comments are plainly negative and
  positive ones plainly positive; neutral ones are mixed or matter-of-fact.
* :data:`TOPIC_TOUCHPOINTS` lists, per topic, the touchpoint keys (from :data:`TOUCHPOINTS`)
  where a customer would plausibly bring the topic up.
* :data:`FEATURE_REQUESTS` holds "please add ..." comments per language, for any touchpoint.

Comments are written the way customers type them: short, sometimes informal, with the odd
order number or "three times". Some English ones contain quotes or ``&`` on purpose; whatever
shows them must escape them. Pure data plus :func:`phrases_for`; standard library only.
"""

from __future__ import annotations

__all__ = [
    "FEATURE_REQUESTS",
    "LANGUAGES",
    "PHRASES",
    "SENTIMENTS",
    "TOPICS",
    "TOPIC_TOUCHPOINTS",
    "TOUCHPOINTS",
    "phrases_for",
]

#: Language codes, English first (English is the fallback in :func:`phrases_for`).
LANGUAGES: tuple[str, ...] = ("en", "zh", "ru", "fi", "th", "es", "de")

#: Sentiment keys used in :data:`PHRASES`.
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

#: Touchpoint keys of the demo journeys; :data:`TOPIC_TOUCHPOINTS` uses only these.
TOUCHPOINTS: tuple[str, ...] = (
    "website-visit",
    "webinar",
    "sales-call",
    "checkout",
    "delivery",
    "account-setup",
    "first-use",
    "onboarding-call",
    "support-email",
    "support-chat",
    "support-phone",
    "help-center",
    "renewal-notice",
    "renewal-payment",
    "mobile-app",
)

#: Topic key -> short English description.
TOPICS: dict[str, str] = {
    "late_delivery": "Order arrived late (or on time)",
    "damaged_item": "Item arrived damaged (or well packed)",
    "easy_checkout": "How easy the checkout was",
    "checkout_error": "Errors while placing an order or paying",
    "pricing": "Price level and value for money",
    "login_trouble": "Signing in and getting into the account",
    "onboarding": "Setting up and getting started",
    "helpful_agent": "How kind and helpful the support agent was",
    "slow_support": "How long support took to reply",
    "refund": "How fast and easy the refund was",
    "product_quality": "Quality and durability of the product",
    "app_performance": "Speed and stability of the app",
    "billing_error": "Wrong or duplicate charges on invoices",
    "webinar": "How useful the webinar was",
    "renewal": "Renewal price and renewal process",
    "help_articles": "Help-center articles and documentation",
    "sales_call": "Experience with the sales representative",
}

#: Topic key -> touchpoints where customers plausibly mention it.
TOPIC_TOUCHPOINTS: dict[str, tuple[str, ...]] = {
    "late_delivery": ("delivery", "support-email", "support-chat", "support-phone"),
    "damaged_item": ("delivery", "support-email", "support-chat", "support-phone"),
    "easy_checkout": ("checkout", "website-visit", "mobile-app"),
    "checkout_error": ("checkout", "mobile-app", "support-chat"),
    "pricing": ("website-visit", "sales-call", "checkout", "renewal-notice"),
    "login_trouble": (
        "account-setup",
        "first-use",
        "mobile-app",
        "website-visit",
        "help-center",
    ),
    "onboarding": ("account-setup", "first-use", "onboarding-call"),
    "helpful_agent": (
        "support-email",
        "support-chat",
        "support-phone",
        "onboarding-call",
    ),
    "slow_support": ("support-email", "support-chat", "support-phone"),
    "refund": ("support-email", "support-chat", "support-phone"),
    "product_quality": ("delivery", "first-use"),
    "app_performance": ("mobile-app", "first-use"),
    "billing_error": ("renewal-payment", "checkout", "support-email", "support-phone"),
    "webinar": ("webinar",),
    "renewal": ("renewal-notice", "renewal-payment"),
    "help_articles": ("help-center", "account-setup", "first-use"),
    "sales_call": ("sales-call", "webinar"),
}

#: ``PHRASES[topic][sentiment][language]`` -> customer comments.
PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    # Order arrived late (or on time)
    "late_delivery": {
        "negative": {
            "en": (
                "My order #4411 arrived two weeks late, no explanation.",
                "Delivery was promised for Monday, showed up Friday.",
                "Still waiting on my package, tracking hasn't updated in 5 days.",
                "Late again. Third time this year the shipment was delayed.",
                "Needed it for a birthday and it came after the party. Really disappointing.",
            ),
            "zh": (
                "订单#4411晚了整整两周才到，也没人解释。",
                "说好周一送到，结果周五才收到。",
                "物流信息五天没更新了，包裹到现在还没到。",
                "又延迟了，这已经是今年第三次了，太失望了。",
            ),
            "ru": (
                "Заказ #4411 пришёл на две недели позже, никто ничего не объяснил.",
                "Обещали доставить в понедельник, привезли только в пятницу.",
                "Трекинг не обновляется уже пять дней, посылки до сих пор нет.",
                "Опять задержка. Уже третий раз за год, очень разочарован.",
            ),
            "fi": (
                "Tilaus #4411 tuli kaksi viikkoa myöhässä eikä kukaan selittänyt miksi.",
                "Toimitus luvattiin maanantaiksi, paketti tuli vasta perjantaina.",
                "Seuranta ei ole päivittynyt viiteen päivään, pakettia ei vieläkään näy.",
                "Taas myöhässä. Jo kolmas kerta tänä vuonna, todella pettynyt.",
            ),
            "th": (
                "คำสั่งซื้อ #4411 มาช้าไปสองสัปดาห์ ไม่มีใครอธิบายอะไรเลย",
                "บอกว่าจะส่งวันจันทร์ แต่ได้ของวันศุกร์",
                "สถานะพัสดุไม่อัปเดตมาห้าวันแล้ว ยังไม่ได้ของเลย",
                "ส่งช้าอีกแล้ว เป็นครั้งที่สามในปีนี้ ผิดหวังมาก",
            ),
            "es": (
                "Mi pedido #4411 llegó dos semanas tarde y nadie me explicó nada.",
                "Me prometieron la entrega para el lunes y llegó el viernes.",
                "El seguimiento no se actualiza desde hace cinco días y el paquete sigue sin llegar.",
                "Otra vez con retraso. Ya van tres veces este año, muy decepcionado.",
            ),
            "de": (
                "Meine Bestellung #4411 kam zwei Wochen zu spät, ohne jede Erklärung.",
                "Lieferung war für Montag versprochen, angekommen ist sie erst am Freitag.",
                "Die Sendungsverfolgung hat sich seit fünf Tagen nicht aktualisiert, Paket immer noch nicht da.",
                "Schon wieder verspätet. Das dritte Mal dieses Jahr, echt enttäuschend.",
            ),
        },
        "neutral": {
            "en": (
                "Delivery took about a week, as stated on the site.",
                "Package came on the last day of the delivery window.",
                "Arrived as expected. Tracking could be more detailed.",
                "Shipping was fine, nothing special.",
            ),
            "zh": (
                "大概一周送到，和网站上写的一样。",
                "包裹在预计送达时间的最后一天到的。",
                "按预期到货，物流信息可以再详细一点。",
                "配送还行，没什么特别的。",
            ),
            "ru": (
                "Доставка заняла около недели, как и указано на сайте.",
                "Посылка пришла в последний день заявленного срока.",
                "Пришло в ожидаемые сроки. Трекинг мог бы быть подробнее.",
                "Доставка нормальная, ничего особенного.",
            ),
            "fi": (
                "Toimitus kesti noin viikon, kuten sivuilla luki.",
                "Paketti tuli toimitusajan viimeisenä päivänä.",
                "Tuli odotetusti. Seuranta voisi olla tarkempi.",
                "Toimitus ok, ei mitään erikoista.",
            ),
            "th": (
                "ใช้เวลาส่งประมาณหนึ่งสัปดาห์ ตามที่เว็บแจ้งไว้",
                "พัสดุมาถึงวันสุดท้ายของช่วงเวลาที่แจ้งไว้",
                "ได้ของตามกำหนด แต่ข้อมูลติดตามพัสดุน่าจะละเอียดกว่านี้",
                "การจัดส่งก็โอเค ไม่มีอะไรพิเศษ",
            ),
            "es": (
                "La entrega tardó una semana, tal como decía la web.",
                "El paquete llegó el último día del plazo de entrega.",
                "Llegó en el plazo esperado. El seguimiento podría ser más detallado.",
                "El envío estuvo bien, nada especial.",
            ),
            "de": (
                "Die Lieferung hat etwa eine Woche gedauert, wie auf der Website angegeben.",
                "Das Paket kam am letzten Tag des Lieferzeitraums.",
                "Kam wie erwartet an. Die Sendungsverfolgung könnte detaillierter sein.",
                "Versand war okay, nichts Besonderes.",
            ),
        },
        "positive": {
            "en": (
                "Arrived a day earlier than expected, great!",
                "Super fast delivery, ordered Tuesday and had it Wednesday.",
                "Right on time, and the tracking updates were spot on.",
                "Delivery was quick & the courier was friendly.",
            ),
            "zh": (
                "比预计早一天到货，太棒了！",
                "发货超快，周二下单周三就收到了。",
                "准时送达，物流信息也很准确。",
                "配送很快，快递员态度也很好。",
            ),
            "ru": (
                "Пришло на день раньше срока, отлично!",
                "Очень быстрая доставка: заказал во вторник, получил в среду.",
                "Всё точно в срок, и трекинг обновлялся вовремя.",
                "Доставили быстро, курьер был вежливый.",
            ),
            "fi": (
                "Paketti tuli päivän etuajassa, mahtavaa!",
                "Tosi nopea toimitus, tilasin tiistaina ja sain keskiviikkona.",
                "Tuli juuri luvattuna päivänä ja seuranta toimi hyvin.",
                "Toimitus oli nopea ja lähetti oli ystävällinen.",
            ),
            "th": (
                "ของมาถึงเร็วกว่าที่คาดไว้หนึ่งวัน ดีมากเลย!",
                "ส่งไวมาก สั่งวันอังคาร ได้ของวันพุธ",
                "มาตรงเวลา และอัปเดตสถานะพัสดุแม่นยำ",
                "ส่งเร็ว พนักงานส่งของก็สุภาพดีค่ะ",
            ),
            "es": (
                "Llegó un día antes de lo previsto, ¡genial!",
                "Entrega rapidísima: pedí el martes y lo tenía el miércoles.",
                "Llegó puntual y el seguimiento fue muy preciso.",
                "Entrega rápida y el repartidor fue muy amable.",
            ),
            "de": (
                "Einen Tag früher als erwartet angekommen, super!",
                "Blitzschnelle Lieferung, Dienstag bestellt, Mittwoch da.",
                "Pünktlich geliefert und die Sendungsverfolgung war genau.",
                "Schnelle Lieferung und der Bote war sehr freundlich.",
            ),
        },
    },
    # Item arrived damaged (or well packed)
    "damaged_item": {
        "negative": {
            "en": (
                "Box was crushed and the mug inside was broken.",
                "Item arrived with a big scratch across the screen.",
                "Second time I've received a damaged product. Packaging is way too thin.",
                "Lamp came in pieces, glass everywhere. Not happy.",
                "Order #5820 arrived with a cracked lid and a leaking bottle.",
            ),
            "zh": (
                "箱子被压扁了，里面的杯子碎了。",
                "收到时屏幕上有一道很深的划痕。",
                "第二次收到损坏的商品了，包装太薄了。",
                "台灯碎成好几块，玻璃渣到处都是，非常不满意。",
            ),
            "ru": (
                "Коробка смята, кружка внутри разбита.",
                "Товар пришёл с большой царапиной на экране.",
                "Уже второй раз получаю повреждённый товар. Упаковка слишком тонкая.",
                "Лампа пришла разбитой, стекло повсюду. Очень недоволен.",
            ),
            "fi": (
                "Laatikko oli litistynyt ja muki sen sisällä rikki.",
                "Tuotteen näytössä oli saapuessaan iso naarmu.",
                "Toinen kerta kun saan vahingoittuneen tuotteen. Pakkaus on aivan liian ohut.",
                "Lamppu tuli palasina, lasinsiruja joka puolella. Ei kiva.",
            ),
            "th": (
                "กล่องบุบยับ แก้วข้างในแตกหมดเลย",
                "ได้ของมามีรอยขีดข่วนใหญ่บนหน้าจอ",
                "ได้ของเสียหายเป็นครั้งที่สองแล้ว แพ็กของบางเกินไป",
                "โคมไฟแตกเป็นชิ้น ๆ เศษแก้วเต็มกล่อง ไม่โอเคเลย",
            ),
            "es": (
                "La caja llegó aplastada y la taza de dentro, rota.",
                "El producto llegó con un rayón enorme en la pantalla.",
                "Es la segunda vez que recibo un producto dañado. El embalaje es demasiado fino.",
                "La lámpara llegó hecha pedazos, cristales por todas partes. Nada contento.",
            ),
            "de": (
                "Der Karton war zerdrückt und die Tasse darin kaputt.",
                "Der Artikel kam mit einem großen Kratzer auf dem Display an.",
                "Schon das zweite Mal ein beschädigtes Produkt. Die Verpackung ist viel zu dünn.",
                "Die Lampe kam in Einzelteilen an, überall Glassplitter. Sehr ärgerlich.",
            ),
        },
        "neutral": {
            "en": (
                "Box was a bit dented but the product inside was fine.",
                "Small scuff on the corner, not a big deal.",
                "Packaging was OK, could use a bit more padding.",
                "One item had a minor scratch, the rest was fine.",
            ),
            "zh": (
                "箱子有点压瘪，但里面的东西没问题。",
                "角上有个小擦痕，问题不大。",
                "包装还可以，填充物可以再多一点。",
                "有一件有轻微划痕，其他都正常。",
            ),
            "ru": (
                "Коробка немного помята, но сам товар в порядке.",
                "Небольшая потёртость на углу, ничего страшного.",
                "Упаковка нормальная, но наполнителя можно было бы и побольше.",
                "На одном товаре есть мелкая царапина, остальное в порядке.",
            ),
            "fi": (
                "Laatikko oli vähän lommolla, mutta tuote oli kunnossa.",
                "Kulmassa pieni hankauma, ei iso juttu.",
                "Pakkaus oli ok, täytettä olisi voinut olla enemmän.",
                "Yhdessä tuotteessa oli pieni naarmu, muut olivat kunnossa.",
            ),
            "th": (
                "กล่องบุบนิดหน่อย แต่ของข้างในไม่เป็นไร",
                "มีรอยถลอกเล็ก ๆ ที่มุม ไม่ใช่เรื่องใหญ่",
                "แพ็กของก็โอเค แต่น่าจะใส่กันกระแทกเพิ่มอีกหน่อย",
                "มีชิ้นหนึ่งมีรอยขีดเล็กน้อย ที่เหลือปกติดี",
            ),
            "es": (
                "La caja venía un poco abollada, pero el producto estaba bien.",
                "Un pequeño roce en una esquina, nada grave.",
                "El embalaje estaba bien, aunque le faltaba algo más de relleno.",
                "Un artículo tenía un rasguño mínimo, el resto perfecto.",
            ),
            "de": (
                "Der Karton hatte eine Delle, aber das Produkt war in Ordnung.",
                "Kleine Schramme an der Ecke, nicht weiter schlimm.",
                "Verpackung war okay, etwas mehr Polsterung wäre gut.",
                "Ein Artikel hatte einen kleinen Kratzer, der Rest war einwandfrei.",
            ),
        },
        "positive": {
            "en": (
                "Everything arrived in perfect condition, very well packed.",
                "Packaging was excellent, not a single scratch.",
                "Got a cracked plate but they sent a replacement the next day, no questions asked.",
                "Fragile glasses arrived intact, thanks for the careful wrapping!",
            ),
            "zh": (
                "所有东西都完好无损，包装非常用心。",
                "包装很好，一点划痕都没有。",
                "盘子裂了，但第二天就给我补发了，什么都没多问。",
                "易碎的玻璃杯完好送达，谢谢细心包装！",
            ),
            "ru": (
                "Всё пришло в идеальном состоянии, отлично упаковано.",
                "Упаковка отличная, ни одной царапины.",
                "Тарелка пришла треснутой, но замену прислали на следующий день без лишних вопросов.",
                "Хрупкие бокалы доехали целыми, спасибо за аккуратную упаковку!",
            ),
            "fi": (
                "Kaikki tuli täydellisessä kunnossa, tosi hyvin pakattu.",
                "Pakkaus oli erinomainen, ei naarmuakaan.",
                "Lautanen oli haljennut, mutta uusi lähetettiin heti seuraavana päivänä ilman kyselyjä.",
                "Herkät lasit tulivat ehjinä, kiitos huolellisesta pakkaamisesta!",
            ),
            "th": (
                "ของมาถึงสภาพสมบูรณ์ แพ็กมาดีมาก",
                "แพ็กของดีเยี่ยม ไม่มีรอยสักนิด",
                "จานร้าวมา แต่ส่งของใหม่ให้วันรุ่งขึ้นเลย ไม่ถามอะไรมาก",
                "แก้วที่แตกง่ายมาถึงครบไม่แตกเลย ขอบคุณที่แพ็กอย่างดีนะคะ",
            ),
            "es": (
                "Todo llegó en perfecto estado, muy bien embalado.",
                "El embalaje fue excelente, ni un solo rasguño.",
                "Me llegó un plato rajado, pero me mandaron otro al día siguiente sin hacer preguntas.",
                "Las copas llegaron intactas, ¡gracias por el embalaje tan cuidadoso!",
            ),
            "de": (
                "Alles kam in einwandfreiem Zustand an, super verpackt.",
                "Die Verpackung war hervorragend, kein einziger Kratzer.",
                "Ein Teller war gesprungen, aber Ersatz kam schon am nächsten Tag, ohne Nachfragen.",
                "Die empfindlichen Gläser sind heil angekommen, danke für die sorgfältige Verpackung!",
            ),
        },
    },
    # How easy the checkout was
    "easy_checkout": {
        "negative": {
            "en": (
                "Checkout has way too many steps, I almost gave up.",
                "Why do I have to create an account just to pay?",
                "The checkout form kept clearing my address. So annoying.",
                "Couldn't find where to enter my discount code, very confusing.",
            ),
            "zh": (
                "结账步骤太多了，我差点就放弃了。",
                "为什么付个款还必须注册账号？",
                "结账表单总是把我填好的地址清空，太烦了。",
                "找不到输入优惠码的地方，很让人困惑。",
            ),
            "ru": (
                "Слишком много шагов при оформлении заказа, я чуть не бросил.",
                "Зачем создавать аккаунт только для того, чтобы оплатить?",
                "Форма оформления постоянно стирала мой адрес. Бесит.",
                "Не смог найти, куда вводить промокод, очень запутанно.",
            ),
            "fi": (
                "Kassalla on aivan liikaa vaiheita, meinasin luovuttaa.",
                "Miksi pitää luoda tili pelkästään maksamista varten?",
                "Kassalomake tyhjensi osoitteeni koko ajan. Tosi ärsyttävää.",
                "En löytänyt, mihin alennuskoodi syötetään, tosi sekavaa.",
            ),
            "th": (
                "ขั้นตอนชำระเงินเยอะเกินไป เกือบจะเลิกสั่งแล้ว",
                "ทำไมต้องสมัครสมาชิกแค่เพื่อจ่ายเงิน",
                "ฟอร์มชำระเงินลบที่อยู่ที่กรอกไว้ตลอด น่ารำคาญมาก",
                "หาช่องใส่โค้ดส่วนลดไม่เจอ งงมาก",
            ),
            "es": (
                "El proceso de pago tiene demasiados pasos, casi lo dejo.",
                "¿Por qué tengo que crear una cuenta solo para pagar?",
                "El formulario de pago me borraba la dirección una y otra vez. Qué pesadez.",
                "No encontraba dónde poner el código de descuento, muy confuso.",
            ),
            "de": (
                "Der Bestellvorgang hat viel zu viele Schritte, ich hätte fast abgebrochen.",
                "Warum muss ich ein Konto anlegen, nur um zu bezahlen?",
                "Das Formular hat meine Adresse ständig gelöscht. Total nervig.",
                "Ich habe nicht gefunden, wo man den Gutscheincode eingibt, sehr verwirrend.",
            ),
        },
        "neutral": {
            "en": (
                "Checkout was fine, a bit long but it worked.",
                "Paid without problems, though the shipping options were a bit confusing.",
                "Ordering was straightforward. Would be nice to save my card.",
                "Standard checkout, nothing to complain about, nothing special.",
            ),
            "zh": (
                "结账还行，有点长，不过能用。",
                "付款没问题，就是配送选项有点看不懂。",
                "下单挺直接的，要是能保存银行卡就更好了。",
                "普通的结账流程，没什么可抱怨的，也没什么亮点。",
            ),
            "ru": (
                "Оформление нормальное, немного долгое, но работает.",
                "Оплатил без проблем, хотя варианты доставки немного запутаны.",
                "Заказ оформляется просто. Хорошо бы сохранять карту.",
                "Обычное оформление заказа, ни жалоб, ни восторгов.",
            ),
            "fi": (
                "Kassa toimi, vähän pitkä mutta ok.",
                "Maksu meni läpi ongelmitta, toimitusvaihtoehdot olivat vähän sekavat.",
                "Tilaaminen oli suoraviivaista. Kortin tallentaminen olisi kiva lisä.",
                "Tavallinen kassa, ei valittamista eikä mitään erityistä.",
            ),
            "th": (
                "ขั้นตอนชำระเงินก็โอเค ยาวไปนิดแต่ใช้ได้",
                "จ่ายเงินได้ไม่มีปัญหา แต่ตัวเลือกการจัดส่งงงนิดหน่อย",
                "สั่งซื้อง่ายดี ถ้าบันทึกบัตรไว้ได้จะดีมาก",
                "ขั้นตอนชำระเงินทั่วไป ไม่มีอะไรต้องบ่น แต่ก็ไม่มีอะไรพิเศษ",
            ),
            "es": (
                "El pago estuvo bien, un poco largo pero funcionó.",
                "Pagué sin problemas, aunque las opciones de envío eran algo confusas.",
                "Comprar fue sencillo. Estaría bien poder guardar la tarjeta.",
                "Un proceso de pago normal, ni bueno ni malo.",
            ),
            "de": (
                "Der Checkout war okay, etwas lang, hat aber funktioniert.",
                "Bezahlen ging problemlos, die Versandoptionen waren etwas unübersichtlich.",
                "Bestellen war unkompliziert. Karte speichern wäre praktisch.",
                "Normaler Bestellvorgang, nichts zu meckern, nichts Besonderes.",
            ),
        },
        "positive": {
            "en": (
                "Checkout took less than a minute, super easy.",
                "Love that I can pay with Apple Pay, quick & painless.",
                "Smooth checkout, no forced account creation. Thank you!",
                "Really simple ordering process, everything was clear.",
            ),
            "zh": (
                "不到一分钟就结完账了，超级简单。",
                "可以用支付宝付款，又快又省心。",
                "结账很顺畅，不强制注册，谢谢！",
                "下单流程非常简单，一目了然。",
            ),
            "ru": (
                "Оформил заказ меньше чем за минуту, очень просто.",
                "Удобно, что можно платить через Google Pay, быстро и без мучений.",
                "Оформление без обязательной регистрации, всё гладко. Спасибо!",
                "Очень простой процесс заказа, всё понятно.",
            ),
            "fi": (
                "Maksaminen vei alle minuutin, todella helppoa.",
                "Kiva että voi maksaa MobilePaylla, nopeaa ja vaivatonta.",
                "Sujuva kassa, ei pakollista rekisteröitymistä. Kiitos!",
                "Tosi selkeä tilausprosessi, kaikki oli helppo ymmärtää.",
            ),
            "th": (
                "ชำระเงินเสร็จในไม่ถึงนาที ง่ายสุด ๆ",
                "ชอบที่จ่ายผ่านพร้อมเพย์ได้ เร็วและสะดวก",
                "ขั้นตอนจ่ายเงินลื่นไหล ไม่บังคับสมัครสมาชิก ขอบคุณค่ะ",
                "สั่งซื้อง่ายมาก ทุกอย่างชัดเจน",
            ),
            "es": (
                "Pagué en menos de un minuto, facilísimo.",
                "Me encanta poder pagar con Bizum, rápido y sin complicaciones.",
                "Pago muy fluido y sin obligarte a registrarte. ¡Gracias!",
                "Proceso de compra muy sencillo, todo clarísimo.",
            ),
            "de": (
                "In unter einer Minute bezahlt, super einfach.",
                "Toll, dass man mit PayPal zahlen kann, schnell und unkompliziert.",
                "Reibungsloser Checkout ohne Zwangsregistrierung. Danke!",
                "Sehr einfacher Bestellprozess, alles klar und verständlich.",
            ),
        },
    },
    # Errors while placing an order or paying
    "checkout_error": {
        "negative": {
            "en": (
                'Got "Payment failed" three times even though my card is fine.',
                'The "Place order" button just spins forever.',
                "Checkout crashed and I was charged twice for order #7302!",
                "Error 500 at the payment step, had to order somewhere else.",
                "Promo code broke the cart, total showed $0 and then an error.",
            ),
            "zh": (
                "明明卡没问题，却连续三次提示“支付失败”。",
                "点了“提交订单”按钮就一直转圈。",
                "结账时页面崩溃了，订单#7302还被扣了两次钱！",
                "付款那一步报错500，只好去别家买了。",
            ),
            "ru": (
                "Три раза выдало «Платёж не прошёл», хотя с картой всё в порядке.",
                "Кнопка «Оформить заказ» просто бесконечно крутится.",
                "Во время оплаты всё упало, а за заказ #7302 деньги списали дважды!",
                "Ошибка 500 на этапе оплаты, пришлось заказать в другом месте.",
            ),
            "fi": (
                'Sain "Maksu epäonnistui" -ilmoituksen kolme kertaa, vaikka kortissa ei ole vikaa.',
                '"Tee tilaus" -nappi vain pyörii loputtomiin.',
                "Kassa kaatui ja minulta veloitettiin tilauksesta #7302 kahdesti!",
                "Virhe 500 maksuvaiheessa, piti tilata muualta.",
            ),
            "th": (
                'ขึ้นว่า "ชำระเงินไม่สำเร็จ" สามครั้ง ทั้งที่บัตรไม่มีปัญหาอะไร',
                'กดปุ่ม "สั่งซื้อ" แล้วหมุนค้างอยู่อย่างนั้น',
                "ระบบล่มตอนจ่ายเงิน แล้วโดนตัดเงินสองรอบสำหรับออเดอร์ #7302!",
                "ขึ้น Error 500 ตอนชำระเงิน สุดท้ายต้องไปสั่งที่อื่น",
            ),
            "es": (
                'Me salió "Pago rechazado" tres veces y mi tarjeta funciona perfectamente.',
                'El botón "Realizar pedido" se queda cargando sin parar.',
                "¡El pago se colgó y me cobraron dos veces el pedido #7302!",
                "Error 500 en el paso de pago, tuve que comprar en otra tienda.",
            ),
            "de": (
                'Dreimal "Zahlung fehlgeschlagen", obwohl mit meiner Karte alles stimmt.',
                'Der Button "Jetzt kaufen" lädt einfach endlos.',
                "Der Checkout ist abgestürzt und Bestellung #7302 wurde mir doppelt abgebucht!",
                "Fehler 500 beim Bezahlen, musste woanders bestellen.",
            ),
        },
        "neutral": {
            "en": (
                "Got an error once, worked on the second try.",
                "Payment page was slow to load but eventually went through.",
                "Had to switch browsers to finish paying, otherwise fine.",
                "The page timed out once, the order still went through.",
            ),
            "zh": (
                "报错了一次，第二次就成功了。",
                "支付页面加载有点慢，不过最后还是付成功了。",
                "换了个浏览器才付完款，其他还好。",
                "页面超时了一次，不过订单还是提交成功了。",
            ),
            "ru": (
                "Один раз выскочила ошибка, со второй попытки сработало.",
                "Страница оплаты долго грузилась, но в итоге всё прошло.",
                "Пришлось сменить браузер, чтобы оплатить, в остальном нормально.",
                "Страница один раз зависла, но заказ всё равно оформился.",
            ),
            "fi": (
                "Tuli kerran virhe, toisella yrityksellä onnistui.",
                "Maksusivu latautui hitaasti, mutta lopulta maksu meni läpi.",
                "Piti vaihtaa selainta, että sain maksettua, muuten ok.",
                "Sivu aikakatkaistiin kerran, mutta tilaus meni silti läpi.",
            ),
            "th": (
                "เจอข้อผิดพลาดครั้งหนึ่ง ลองใหม่ครั้งที่สองก็ได้",
                "หน้าชำระเงินโหลดช้า แต่สุดท้ายก็จ่ายได้",
                "ต้องเปลี่ยนเบราว์เซอร์ถึงจะจ่ายเงินได้ นอกนั้นก็โอเค",
                "หน้าเว็บหมดเวลาไปครั้งหนึ่ง แต่คำสั่งซื้อก็ยังเข้าระบบ",
            ),
            "es": (
                "Me dio error una vez, al segundo intento funcionó.",
                "La página de pago tardó en cargar, pero al final se completó.",
                "Tuve que cambiar de navegador para terminar el pago, por lo demás bien.",
                "La página se quedó colgada una vez, pero el pedido se registró igual.",
            ),
            "de": (
                "Einmal kam ein Fehler, beim zweiten Versuch hat es geklappt.",
                "Die Zahlungsseite hat lange geladen, aber am Ende ging es durch.",
                "Musste den Browser wechseln, um zu bezahlen, ansonsten okay.",
                "Die Seite hatte einmal ein Timeout, die Bestellung ist trotzdem angekommen.",
            ),
        },
        "positive": {
            "en": (
                "Had a payment error but support fixed it within minutes.",
                "Payment went through first try this time, glad the bug is fixed.",
                "Card was declined, but the message clearly explained why. Sorted quickly.",
                "The checkout error from last week is gone, works perfectly now.",
            ),
            "zh": (
                "付款时出错了，但客服几分钟就帮我解决了。",
                "这次一次就付款成功了，很高兴问题修好了。",
                "银行卡被拒，但提示清楚说明了原因，很快就搞定了。",
                "上周结账报错的问题已经没了，现在很顺利。",
            ),
            "ru": (
                "Была ошибка при оплате, но поддержка всё исправила за пару минут.",
                "На этот раз оплата прошла с первого раза, рад, что баг исправили.",
                "Карту отклонили, но сообщение понятно объяснило причину. Быстро разобрался.",
                "Ошибка при оформлении, которая была на прошлой неделе, исчезла, теперь всё работает отлично.",
            ),
            "fi": (
                "Maksussa tuli virhe, mutta asiakaspalvelu korjasi sen muutamassa minuutissa.",
                "Maksu meni tällä kertaa läpi heti, hyvä että bugi on korjattu.",
                "Kortti hylättiin, mutta ilmoitus kertoi selvästi syyn. Asia hoitui nopeasti.",
                "Viime viikon kassavirhe on poissa, nyt toimii täydellisesti.",
            ),
            "th": (
                "จ่ายเงินแล้วเจอข้อผิดพลาด แต่ฝ่ายบริการลูกค้าแก้ให้ในไม่กี่นาที",
                "รอบนี้จ่ายเงินผ่านตั้งแต่ครั้งแรก ดีใจที่แก้บั๊กแล้ว",
                "บัตรถูกปฏิเสธ แต่ระบบบอกเหตุผลชัดเจน แก้ได้เร็ว",
                "ปัญหาตอนชำระเงินเมื่อสัปดาห์ก่อนหายไปแล้ว ตอนนี้ใช้ได้ดีมาก",
            ),
            "es": (
                "Tuve un error al pagar, pero soporte lo resolvió en minutos.",
                "Esta vez el pago funcionó a la primera, me alegra que arreglaran el fallo.",
                "Me rechazaron la tarjeta, pero el mensaje explicaba claramente por qué. Resuelto enseguida.",
                "El error del pago de la semana pasada ya no aparece, ahora va perfecto.",
            ),
            "de": (
                "Hatte einen Zahlungsfehler, aber der Support hat ihn in wenigen Minuten behoben.",
                "Diesmal ging die Zahlung sofort durch, schön, dass der Fehler behoben ist.",
                "Karte wurde abgelehnt, aber die Meldung hat den Grund klar erklärt. Schnell gelöst.",
                "Der Fehler im Checkout von letzter Woche ist weg, läuft jetzt einwandfrei.",
            ),
        },
    },
    # Price level and value for money
    "pricing": {
        "negative": {
            "en": (
                "Way too expensive for what you get.",
                "Price went up 20% and nothing changed. Not cool.",
                "Shipping costs more than the item itself, seriously?",
                "Competitors offer the same thing for half the price.",
                "Hidden fees at the end almost doubled the total.",
            ),
            "zh": (
                "太贵了，根本不值这个价。",
                "价格涨了20%，什么都没变，太不厚道了。",
                "运费比东西本身还贵，认真的吗？",
                "别家同样的东西只要一半的价钱。",
            ),
            "ru": (
                "Слишком дорого за то, что получаешь.",
                "Цену подняли на 20%, а ничего не изменилось. Некрасиво.",
                "Доставка стоит дороже самого товара, серьёзно?",
                "У конкурентов то же самое в два раза дешевле.",
            ),
            "fi": (
                "Aivan liian kallis siihen nähden, mitä saa.",
                "Hinta nousi 20 % eikä mikään muuttunut. Ei kivaa.",
                "Postikulut maksavat enemmän kuin itse tuote, oikeesti?",
                "Kilpailijoilla sama juttu puoleen hintaan.",
            ),
            "th": (
                "แพงเกินไปเมื่อเทียบกับสิ่งที่ได้",
                "ขึ้นราคา 20% แต่ไม่มีอะไรเปลี่ยนเลย ไม่โอเค",
                "ค่าส่งแพงกว่าตัวสินค้าอีก จริงเหรอ",
                "ร้านอื่นขายของแบบเดียวกันในราคาครึ่งเดียว",
            ),
            "es": (
                "Demasiado caro para lo que ofrece.",
                "Subieron el precio un 20% y no cambió nada. Qué feo.",
                "El envío cuesta más que el producto, ¿en serio?",
                "La competencia tiene lo mismo a mitad de precio.",
            ),
            "de": (
                "Viel zu teuer für das, was man bekommt.",
                "Preis um 20% erhöht und nichts hat sich geändert. Nicht okay.",
                "Der Versand kostet mehr als der Artikel selbst, echt jetzt?",
                "Bei der Konkurrenz gibt es dasselbe zum halben Preis.",
            ),
        },
        "neutral": {
            "en": (
                "Price is about what I expected.",
                "A bit pricey, but the quality mostly justifies it.",
                "Fair price, though I'd like a cheaper basic plan.",
                "Costs the same as elsewhere, so no complaints.",
            ),
            "zh": (
                "价格和我预想的差不多。",
                "有点贵，不过质量基本对得起这个价。",
                "价格还算公道，希望能有更便宜的基础套餐。",
                "和别家价格差不多，没什么可抱怨的。",
            ),
            "ru": (
                "Цена примерно такая, как я и ожидал.",
                "Дороговато, но качество в целом оправдывает.",
                "Цена нормальная, но хотелось бы тариф подешевле.",
                "Стоит столько же, сколько везде, так что без претензий.",
            ),
            "fi": (
                "Hinta oli suunnilleen sitä, mitä odotinkin.",
                "Vähän hintava, mutta laatu pääosin perustelee sen.",
                "Reilu hinta, vaikka halvempi perustaso olisi kiva.",
                "Maksaa saman verran kuin muualla, ei valittamista.",
            ),
            "th": (
                "ราคาประมาณที่คิดไว้",
                "แพงไปนิด แต่คุณภาพก็พอสมกับราคา",
                "ราคาสมเหตุสมผล แต่อยากให้มีแพ็กเกจพื้นฐานที่ถูกกว่านี้",
                "ราคาพอ ๆ กับที่อื่น ก็ไม่มีอะไรต้องบ่น",
            ),
            "es": (
                "El precio es más o menos lo que esperaba.",
                "Un poco caro, pero la calidad en general lo justifica.",
                "Precio razonable, aunque me gustaría un plan básico más barato.",
                "Cuesta lo mismo que en otros sitios, así que sin quejas.",
            ),
            "de": (
                "Der Preis ist ungefähr so, wie ich erwartet hatte.",
                "Etwas teuer, aber die Qualität rechtfertigt es größtenteils.",
                "Fairer Preis, ein günstigerer Basistarif wäre trotzdem schön.",
                "Kostet genauso viel wie anderswo, also keine Beschwerden.",
            ),
        },
        "positive": {
            "en": (
                "Great value for money, honestly.",
                "Cheaper than I expected and the quality is excellent.",
                "Love the free shipping & the fair prices.",
                "For this price it's a steal. Will buy again.",
            ),
            "zh": (
                "性价比很高，真心推荐。",
                "比我想象的便宜，质量还特别好。",
                "包邮而且价格实惠，很喜欢。",
                "这个价格简直太划算了，还会再买。",
            ),
            "ru": (
                "Отличное соотношение цены и качества, честно.",
                "Дешевле, чем я думал, а качество отличное.",
                "Бесплатная доставка и честные цены, очень нравится.",
                "За такие деньги это просто находка. Куплю ещё.",
            ),
            "fi": (
                "Tosi hyvä vastine rahalle.",
                "Halvempi kuin odotin ja laatu on erinomainen.",
                "Ilmainen toimitus ja reilut hinnat, tykkään.",
                "Tähän hintaan tämä on löytö. Ostan uudestaan.",
            ),
            "th": (
                "คุ้มค่าคุ้มราคามาก บอกเลย",
                "ถูกกว่าที่คิด แถมคุณภาพดีมาก",
                "ส่งฟรีและราคายุติธรรม ชอบมาก",
                "ราคานี้คุ้มสุด ๆ จะกลับมาซื้ออีกแน่นอน",
            ),
            "es": (
                "Muy buena relación calidad-precio, la verdad.",
                "Más barato de lo que esperaba y la calidad es excelente.",
                "Me encantan el envío gratis y los precios justos.",
                "A este precio es una ganga. Repetiré.",
            ),
            "de": (
                "Super Preis-Leistungs-Verhältnis, ehrlich.",
                "Günstiger als erwartet und die Qualität ist top.",
                "Kostenloser Versand & faire Preise, gefällt mir.",
                "Für den Preis ein echtes Schnäppchen. Kaufe wieder.",
            ),
        },
    },
    # Signing in and getting into the account
    "login_trouble": {
        "negative": {
            "en": (
                "Can't log in, the password reset email never arrives.",
                "Locked out of my account for three days now.",
                "Two-factor code keeps saying it's invalid. Super frustrating.",
                'Every time I log in it says "session expired" and kicks me out.',
                "Had to reset my password four times this month.",
            ),
            "zh": (
                "登录不上，重置密码的邮件一直收不到。",
                "账号已经被锁了三天了。",
                "两步验证码总提示无效，太崩溃了。",
                "每次登录都提示“会话已过期”，然后就被踢出去了。",
            ),
            "ru": (
                "Не могу войти, письмо для сброса пароля так и не приходит.",
                "Уже три дня не могу попасть в свой аккаунт.",
                "Код двухфакторной аутентификации постоянно неверный. Бесит.",
                "При каждом входе пишет «Сессия истекла» и выкидывает.",
            ),
            "fi": (
                "En pääse kirjautumaan, salasanan palautusviesti ei tule koskaan.",
                "Olen ollut lukittuna ulos tililtäni jo kolme päivää.",
                "Kaksivaiheisen tunnistuksen koodi on aina muka virheellinen. Tosi turhauttavaa.",
                'Aina kirjautuessa tulee "istunto vanhentunut" ja heittää ulos.',
            ),
            "th": (
                "ล็อกอินไม่ได้ อีเมลรีเซ็ตรหัสผ่านก็ไม่มาสักที",
                "โดนล็อกบัญชีมาสามวันแล้ว",
                "รหัสยืนยันสองขั้นตอนขึ้นว่าไม่ถูกต้องตลอด หงุดหงิดมาก",
                'ล็อกอินทีไรก็ขึ้นว่า "เซสชันหมดอายุ" แล้วเด้งออก',
            ),
            "es": (
                "No puedo iniciar sesión, el correo para restablecer la contraseña nunca llega.",
                "Llevo tres días sin poder entrar en mi cuenta.",
                "El código de verificación en dos pasos siempre sale inválido. Desesperante.",
                'Cada vez que entro me dice "sesión caducada" y me echa.',
            ),
            "de": (
                "Kann mich nicht einloggen, die Mail zum Zurücksetzen des Passworts kommt nie an.",
                "Bin seit drei Tagen aus meinem Konto ausgesperrt.",
                "Der Zwei-Faktor-Code ist angeblich immer ungültig. Mega frustrierend.",
                'Bei jedem Login kommt "Sitzung abgelaufen" und ich fliege raus.',
            ),
        },
        "neutral": {
            "en": (
                "Had to reset my password, but it worked after that.",
                "Login works, though I get logged out a bit too often.",
                "The verification code took a couple of minutes to arrive.",
                "Signing in with Google works, email login was a bit flaky.",
            ),
            "zh": (
                "重置了一次密码，之后就能正常登录了。",
                "能登录，就是有点太容易掉线了。",
                "验证码过了两分钟才收到。",
                "用微信登录没问题，邮箱登录偶尔会出问题。",
            ),
            "ru": (
                "Пришлось сбросить пароль, но после этого всё заработало.",
                "Вход работает, но из аккаунта выкидывает слишком часто.",
                "Код подтверждения пришёл только через пару минут.",
                "Через Google вход работает, через почту иногда глючит.",
            ),
            "fi": (
                "Piti vaihtaa salasana, mutta sen jälkeen toimi.",
                "Kirjautuminen toimii, mutta uloskirjaus tapahtuu vähän liian usein.",
                "Vahvistuskoodi tuli parin minuutin viiveellä.",
                "Google-kirjautuminen toimii, sähköpostilla vähän takkuili.",
            ),
            "th": (
                "ต้องรีเซ็ตรหัสผ่านก่อน แต่หลังจากนั้นก็ใช้ได้",
                "ล็อกอินได้ แต่โดนเด้งออกบ่อยไปหน่อย",
                "รหัสยืนยันมาช้าไปสองสามนาที",
                "ล็อกอินผ่าน LINE ใช้ได้ แต่ล็อกอินด้วยอีเมลติด ๆ ขัด ๆ",
            ),
            "es": (
                "Tuve que restablecer la contraseña, pero después funcionó.",
                "El inicio de sesión funciona, aunque me desconecta demasiado a menudo.",
                "El código de verificación tardó un par de minutos en llegar.",
                "Entrar con Google funciona, con el correo a veces falla.",
            ),
            "de": (
                "Musste mein Passwort zurücksetzen, danach ging es.",
                "Login funktioniert, aber ich werde etwas zu oft abgemeldet.",
                "Der Bestätigungscode kam erst nach ein paar Minuten.",
                "Anmelden mit Google klappt, per E-Mail hakt es manchmal.",
            ),
        },
        "positive": {
            "en": (
                "Logging in with Google is quick and painless.",
                "Password reset took 30 seconds, nice.",
                "Love the Face ID login on the app, super convenient.",
                "Got locked out but the unlock link arrived instantly. Great.",
            ),
            "zh": (
                "用微信一键登录，又快又方便。",
                "重置密码三十秒就搞定了，很好。",
                "App支持面容登录，超级方便。",
                "账号被锁了，但解锁链接马上就到了，很棒。",
            ),
            "ru": (
                "Вход через Google быстрый и удобный.",
                "Сбросил пароль за 30 секунд, отлично.",
                "Вход по Face ID в приложении очень удобный.",
                "Аккаунт заблокировался, но ссылка для разблокировки пришла мгновенно. Супер.",
            ),
            "fi": (
                "Kirjautuminen Googlella on nopeaa ja vaivatonta.",
                "Salasanan vaihto vei 30 sekuntia, hyvä.",
                "Sovelluksen Face ID -kirjautuminen on tosi kätevä.",
                "Tili lukittui, mutta avauslinkki tuli heti. Loistavaa.",
            ),
            "th": (
                "ล็อกอินด้วย LINE เร็วและง่ายมาก",
                "รีเซ็ตรหัสผ่านแค่ 30 วินาที ดีมาก",
                "ชอบที่แอปสแกนหน้าเข้าได้ สะดวกสุด ๆ",
                "บัญชีโดนล็อก แต่ลิงก์ปลดล็อกมาทันที เยี่ยมเลย",
            ),
            "es": (
                "Entrar con Google es rápido y sencillo.",
                "Cambié la contraseña en 30 segundos, genial.",
                "Me encanta entrar con Face ID en la app, comodísimo.",
                "Se me bloqueó la cuenta, pero el enlace para desbloquearla llegó al instante. Perfecto.",
            ),
            "de": (
                "Anmeldung mit Google geht schnell und einfach.",
                "Passwort in 30 Sekunden zurückgesetzt, top.",
                "Login per Face ID in der App ist super praktisch.",
                "War ausgesperrt, aber der Entsperr-Link kam sofort. Klasse.",
            ),
        },
    },
    # Setting up and getting started
    "onboarding": {
        "negative": {
            "en": (
                "Setup was confusing, I had no idea what to do after signing up.",
                "Spent two hours trying to connect my data, the guide skips steps.",
                "The onboarding call was rushed and they didn't answer my questions.",
                "Too many settings up front, completely overwhelming for a new user.",
            ),
            "zh": (
                "设置过程太混乱了，注册后完全不知道下一步该干什么。",
                "花了两个小时连数据，教程还跳过了好几步。",
                "入门培训电话很仓促，我的问题都没得到解答。",
                "一上来就要填那么多设置，新手完全懵了。",
            ),
            "ru": (
                "Настройка запутанная, после регистрации вообще непонятно, что делать.",
                "Два часа пытался подключить данные, в инструкции пропущены шаги.",
                "Вводный звонок провели впопыхах, на мои вопросы так и не ответили.",
                "Слишком много настроек сразу, новичку в этом не разобраться.",
            ),
            "fi": (
                "Käyttöönotto oli sekava, en tiennyt rekisteröitymisen jälkeen mitä tehdä.",
                "Yritin kaksi tuntia yhdistää dataani, ohjeesta puuttuu vaiheita.",
                "Perehdytyspuhelu oli hätäinen eikä kysymyksiini vastattu.",
                "Liikaa asetuksia heti alussa, uudelle käyttäjälle aivan liikaa kerralla.",
            ),
            "th": (
                "ขั้นตอนตั้งค่างงมาก สมัครเสร็จแล้วไม่รู้จะทำอะไรต่อ",
                "เสียเวลาสองชั่วโมงพยายามเชื่อมข้อมูล คู่มือข้ามขั้นตอนไปหลายอย่าง",
                "คอลแนะนำการใช้งานรีบมาก ไม่ได้ตอบคำถามที่ถามไปเลย",
                "มีการตั้งค่าเยอะเกินไปตั้งแต่แรก ผู้ใช้ใหม่งงไปหมด",
            ),
            "es": (
                "La configuración es confusa, después de registrarme no sabía qué hacer.",
                "Pasé dos horas intentando conectar mis datos, la guía se salta pasos.",
                "La llamada de bienvenida fue con prisas y no respondieron mis dudas.",
                "Demasiados ajustes al principio, abrumador para un usuario nuevo.",
            ),
            "de": (
                "Die Einrichtung war verwirrend, nach der Anmeldung wusste ich nicht weiter.",
                "Zwei Stunden versucht, meine Daten anzubinden, die Anleitung überspringt Schritte.",
                "Das Onboarding-Gespräch war gehetzt und meine Fragen blieben offen.",
                "Viel zu viele Einstellungen am Anfang, als Neuling völlig überfordert.",
            ),
        },
        "neutral": {
            "en": (
                "Setup took about an hour, mostly straightforward.",
                "Onboarding was OK, some steps could be explained better.",
                "The welcome tour is fine but I skipped most of it.",
                "Got set up eventually, needed the docs for one step.",
            ),
            "zh": (
                "设置花了大约一个小时，整体还算顺利。",
                "新手引导还行，有几步可以解释得更清楚些。",
                "欢迎引导还可以，不过我大部分都跳过了。",
                "最后还是设置好了，有一步得去查文档。",
            ),
            "ru": (
                "Настройка заняла около часа, в основном всё понятно.",
                "Онбординг нормальный, некоторые шаги можно было бы объяснить лучше.",
                "Вводный тур неплохой, но я большую часть пропустил.",
                "В итоге всё настроил, на одном шаге пришлось читать документацию.",
            ),
            "fi": (
                "Käyttöönotto kesti noin tunnin, pääosin selkeää.",
                "Perehdytys oli ok, muutaman vaiheen voisi selittää paremmin.",
                "Esittelykierros on ihan ok, mutta ohitin suurimman osan.",
                "Sain lopulta kaiken toimimaan, yhdessä kohdassa piti lukea ohjeita.",
            ),
            "th": (
                "ตั้งค่าใช้เวลาประมาณชั่วโมงนึง ส่วนใหญ่ไม่ยาก",
                "การแนะนำการใช้งานก็โอเค บางขั้นตอนน่าจะอธิบายให้ชัดกว่านี้",
                "ทัวร์แนะนำก็ดีอยู่ แต่ข้ามไปเกือบหมด",
                "สุดท้ายก็ตั้งค่าได้ มีขั้นตอนนึงต้องไปเปิดคู่มือดู",
            ),
            "es": (
                "La configuración llevó una hora, en general sencilla.",
                "El onboarding estuvo bien, algunos pasos podrían explicarse mejor.",
                "El tour de bienvenida está bien, pero me salté casi todo.",
                "Al final lo configuré, en un paso tuve que mirar la documentación.",
            ),
            "de": (
                "Die Einrichtung hat etwa eine Stunde gedauert, größtenteils verständlich.",
                "Onboarding war okay, manche Schritte könnten besser erklärt sein.",
                "Die Einführungstour ist ganz nett, hab aber das meiste übersprungen.",
                "Hab es am Ende eingerichtet, für einen Schritt brauchte ich die Doku.",
            ),
        },
        "positive": {
            "en": (
                "Setup was a breeze, up and running in 10 minutes.",
                "The onboarding call was super helpful, they walked me through everything.",
                "Loved the step-by-step checklist, made getting started really easy.",
                "Clear instructions & a friendly welcome email. Great first impression.",
            ),
            "zh": (
                "设置非常轻松，十分钟就用上了。",
                "入门培训电话特别有帮助，手把手教我每一步。",
                "很喜欢分步骤的清单，上手特别容易。",
                "说明清晰，欢迎邮件也很贴心，第一印象很好。",
            ),
            "ru": (
                "Настройка проще некуда, через 10 минут уже всё работало.",
                "Вводный звонок очень помог, мне всё подробно показали.",
                "Пошаговый чек-лист просто супер, начать работу было очень легко.",
                "Понятные инструкции и приятное приветственное письмо. Отличное первое впечатление.",
            ),
            "fi": (
                "Käyttöönotto oli helppo, kaikki toimi 10 minuutissa.",
                "Perehdytyspuhelusta oli tosi paljon apua, kaikki käytiin läpi.",
                "Vaiheittainen tarkistuslista oli loistava, alkuun pääsi tosi helposti.",
                "Selkeät ohjeet ja ystävällinen tervetuloviesti. Hyvä ensivaikutelma.",
            ),
            "th": (
                "ตั้งค่าง่ายมาก ใช้งานได้ภายใน 10 นาที",
                "คอลแนะนำการใช้งานช่วยได้มาก พาทำทีละขั้นตอนเลย",
                "ชอบเช็กลิสต์ทีละขั้น ทำให้เริ่มใช้งานง่ายมาก",
                "คำแนะนำชัดเจน อีเมลต้อนรับก็น่ารัก ประทับใจตั้งแต่แรก",
            ),
            "es": (
                "Configurarlo fue facilísimo, en 10 minutos ya estaba funcionando.",
                "La llamada de bienvenida fue muy útil, me explicaron todo paso a paso.",
                "Me encantó la lista de pasos, empezar fue muy fácil.",
                "Instrucciones claras y un correo de bienvenida muy amable. Gran primera impresión.",
            ),
            "de": (
                "Einrichtung war kinderleicht, nach 10 Minuten lief alles.",
                "Das Onboarding-Gespräch war super hilfreich, alles wurde Schritt für Schritt erklärt.",
                "Die Checkliste fürs Einrichten ist klasse, der Einstieg war total einfach.",
                "Klare Anleitung & eine nette Willkommensmail. Toller erster Eindruck.",
            ),
        },
    },
    # How kind and helpful the support agent was
    "helpful_agent": {
        "negative": {
            "en": (
                "The agent was rude and kept interrupting me.",
                "Support just copy-pasted a help article that didn't answer my question.",
                "Talked to three different agents, nobody actually helped.",
                "He told me it was my fault and closed the ticket. Unbelievable.",
            ),
            "zh": (
                "客服态度很差，还老是打断我说话。",
                "客服直接复制粘贴了一篇帮助文章，根本没回答我的问题。",
                "换了三个客服，没一个真正帮上忙。",
                "他说是我自己的问题，然后就把工单关了，简直不可思议。",
            ),
            "ru": (
                "Оператор грубил и постоянно меня перебивал.",
                "Поддержка просто скопировала статью из справки, которая не отвечала на мой вопрос.",
                "Поговорил с тремя разными операторами, никто так и не помог.",
                "Сказал, что я сам виноват, и закрыл обращение. Невероятно.",
            ),
            "fi": (
                "Asiakaspalvelija oli töykeä ja keskeytti minut jatkuvasti.",
                "Tuki vain kopioi ohjeartikkelin, joka ei vastannut kysymykseeni.",
                "Puhuin kolmen eri asiakaspalvelijan kanssa, kukaan ei oikeasti auttanut.",
                "Hän sanoi, että vika oli minun, ja sulki tiketin. Uskomatonta.",
            ),
            "th": (
                "พนักงานพูดจาไม่ดี แถมพูดแทรกตลอด",
                "ซัพพอร์ตแค่ก๊อปบทความช่วยเหลือมาแปะ ไม่ได้ตอบคำถามเลย",
                "คุยกับพนักงานมาสามคนแล้ว ไม่มีใครช่วยได้จริง ๆ สักคน",
                "เขาบอกว่าเป็นความผิดของเรา แล้วก็ปิดเคสไปเลย ไม่อยากจะเชื่อ",
            ),
            "es": (
                "El agente fue grosero y no paraba de interrumpirme.",
                "Soporte me pegó un artículo de ayuda que no respondía a mi pregunta.",
                "Hablé con tres agentes distintos y ninguno me ayudó de verdad.",
                "Me dijo que era culpa mía y cerró el caso. Increíble.",
            ),
            "de": (
                "Der Mitarbeiter war unhöflich und hat mich ständig unterbrochen.",
                "Der Support hat nur einen Hilfeartikel reinkopiert, der meine Frage nicht beantwortet.",
                "Mit drei verschiedenen Mitarbeitern gesprochen, keiner konnte wirklich helfen.",
                "Er meinte, es sei meine Schuld, und hat das Ticket geschlossen. Unglaublich.",
            ),
        },
        "neutral": {
            "en": (
                "The agent was polite but couldn't solve the problem.",
                "Got an answer, though I had to explain the issue twice.",
                "Support was OK, a bit scripted.",
                "The agent escalated my case, still waiting to hear back.",
            ),
            "zh": (
                "客服挺有礼貌，但问题没解决。",
                "得到了答复，不过同样的问题我解释了两遍。",
                "客服还行，就是有点照本宣科。",
                "客服把我的问题升级处理了，还在等回复。",
            ),
            "ru": (
                "Оператор был вежлив, но проблему решить не смог.",
                "Ответ получил, но пришлось объяснять проблему дважды.",
                "Поддержка нормальная, но отвечают по шаблону.",
                "Оператор передал мой вопрос дальше, пока жду ответа.",
            ),
            "fi": (
                "Asiakaspalvelija oli kohtelias, mutta ei saanut ongelmaa ratkaistua.",
                "Sain vastauksen, mutta jouduin selittämään ongelman kahdesti.",
                "Tuki oli ok, vähän kaavamainen.",
                "Asiakaspalvelija siirsi asian eteenpäin, odotan vielä vastausta.",
            ),
            "th": (
                "พนักงานสุภาพดี แต่แก้ปัญหาไม่ได้",
                "ได้คำตอบนะ แต่ต้องอธิบายปัญหาซ้ำสองรอบ",
                "ซัพพอร์ตก็โอเค แต่ตอบตามสคริปต์ไปหน่อย",
                "พนักงานส่งเรื่องต่อให้แล้ว ตอนนี้ยังรอคำตอบอยู่",
            ),
            "es": (
                "El agente fue educado, pero no pudo resolver el problema.",
                "Me respondieron, aunque tuve que explicar el problema dos veces.",
                "El soporte estuvo bien, aunque muy de guion.",
                "El agente escaló mi caso, sigo esperando respuesta.",
            ),
            "de": (
                "Die Mitarbeiterin war freundlich, konnte das Problem aber nicht lösen.",
                "Habe eine Antwort bekommen, musste das Problem aber zweimal erklären.",
                "Support war okay, etwas nach Schema F.",
                "Mein Fall wurde weitergeleitet, warte noch auf Rückmeldung.",
            ),
        },
        "positive": {
            "en": (
                "Anna from support was amazing, solved everything in one call.",
                "Such a kind and patient agent, explained everything clearly.",
                "The support guy went above & beyond, even followed up the next day.",
                "Really helpful agent, fixed my issue and gave me a discount for the trouble.",
            ),
            "zh": (
                "客服小王太棒了，一通电话就全部解决了。",
                "客服非常亲切耐心，解释得很清楚。",
                "客服特别负责，第二天还主动回访。",
                "客服非常给力，帮我解决了问题，还送了优惠券作为补偿。",
            ),
            "ru": (
                "Анна из поддержки просто чудо, решила всё за один звонок.",
                "Очень доброжелательный и терпеливый оператор, всё понятно объяснил.",
                "Специалист поддержки сделал больше, чем нужно, и на следующий день сам перезвонил.",
                "Очень отзывчивый оператор: решил проблему и дал скидку за неудобства.",
            ),
            "fi": (
                "Anna tuesta oli mahtava, hoiti kaiken yhdellä puhelulla.",
                "Tosi ystävällinen ja kärsivällinen asiakaspalvelija, selitti kaiken selkeästi.",
                "Tukihenkilö teki enemmän kuin olisi tarvinnut ja soitti vielä seuraavana päivänä perään.",
                "Todella avulias asiakaspalvelija, korjasi ongelman ja antoi vielä alennuksen vaivasta.",
            ),
            "th": (
                "คุณแอนจากฝ่ายซัพพอร์ตเก่งมาก แก้ได้หมดในสายเดียว",
                "พนักงานใจดีและใจเย็นมาก อธิบายทุกอย่างชัดเจน",
                "พนักงานดูแลดีเกินคาด วันรุ่งขึ้นยังโทรมาติดตามผลอีก",
                "พนักงานช่วยเหลือดีมาก แก้ปัญหาให้แถมให้ส่วนลดชดเชยด้วย",
            ),
            "es": (
                "Anna, de soporte, fue increíble: lo resolvió todo en una llamada.",
                "Un agente amabilísimo y muy paciente, me lo explicó todo con claridad.",
                "El chico de soporte hizo más de lo necesario y hasta me escribió al día siguiente para ver cómo iba.",
                "Agente muy resolutivo, me arregló el problema y me dio un descuento por las molestias.",
            ),
            "de": (
                "Anna vom Support war großartig, alles in einem Anruf gelöst.",
                "Total freundlicher und geduldiger Mitarbeiter, hat alles verständlich erklärt.",
                "Der Support-Mitarbeiter hat sich echt ins Zeug gelegt und sich am nächsten Tag sogar nochmal gemeldet.",
                "Sehr hilfsbereite Mitarbeiterin, Problem gelöst und sogar einen Rabatt als Entschuldigung bekommen.",
            ),
        },
    },
    # How long support took to reply
    "slow_support": {
        "negative": {
            "en": (
                "Waited five days for a reply to a simple question.",
                "On hold for 45 minutes, then the call dropped.",
                "Sent three emails about ticket #2291, still no response.",
                'Chat says "we reply in minutes". Two hours later, nothing.',
            ),
            "zh": (
                "一个简单的问题等了五天才有人回复。",
                "电话等了45分钟，结果还掉线了。",
                "关于工单#2291发了三封邮件，到现在都没回音。",
                "在线客服写着“几分钟内回复”，结果两个小时了都没人理。",
            ),
            "ru": (
                "Ждал ответа на простой вопрос пять дней.",
                "Провисел на линии 45 минут, а потом звонок оборвался.",
                "Отправил три письма по обращению #2291, ответа до сих пор нет.",
                "В чате написано «отвечаем за пару минут». Прошло два часа, тишина.",
            ),
            "fi": (
                "Odotin viisi päivää vastausta yksinkertaiseen kysymykseen.",
                "Jonotin 45 minuuttia ja sitten puhelu katkesi.",
                "Lähetin kolme sähköpostia tiketistä #2291, vieläkään ei vastausta.",
                'Chatissa lukee "vastaamme minuuteissa". Kaksi tuntia myöhemmin ei mitään.',
            ),
            "th": (
                "ถามคำถามง่าย ๆ แต่รอคำตอบตั้งห้าวัน",
                "รอสายอยู่ 45 นาที แล้วสายก็หลุด",
                "ส่งอีเมลเรื่องเคส #2291 ไปสามรอบแล้ว ยังไม่มีใครตอบ",
                'แชตบอกว่า "ตอบกลับภายในไม่กี่นาที" ผ่านไปสองชั่วโมงแล้วยังเงียบ',
            ),
            "es": (
                "Esperé cinco días para que respondieran una pregunta sencilla.",
                "45 minutos en espera y luego se cortó la llamada.",
                "He enviado tres correos sobre el caso #2291 y sigo sin respuesta.",
                'El chat dice "respondemos en minutos". Dos horas después, nada.',
            ),
            "de": (
                "Fünf Tage auf eine Antwort zu einer einfachen Frage gewartet.",
                "45 Minuten in der Warteschleife, dann ist die Verbindung abgebrochen.",
                "Drei E-Mails zu Ticket #2291 geschickt, immer noch keine Antwort.",
                'Im Chat steht "Antwort in wenigen Minuten". Zwei Stunden später: nichts.',
            ),
        },
        "neutral": {
            "en": (
                "Got a reply the next day, which is OK I guess.",
                "Response time was average, about 24 hours.",
                "Waited 15 minutes on the phone, then it was sorted.",
                "Reply came in two days, the answer itself was fine.",
            ),
            "zh": (
                "第二天才收到回复，也还行吧。",
                "响应速度一般，大概24小时。",
                "电话等了15分钟，之后问题就解决了。",
                "两天后收到回复，答复内容还可以。",
            ),
            "ru": (
                "Ответили на следующий день, в принципе нормально.",
                "Скорость ответа средняя, около суток.",
                "Подождал на линии 15 минут, потом всё решили.",
                "Ответ пришёл через два дня, по сути нормальный.",
            ),
            "fi": (
                "Vastaus tuli seuraavana päivänä, ihan ok kai.",
                "Vastausaika oli keskinkertainen, noin vuorokausi.",
                "Jonotin puhelimessa 15 minuuttia, sitten asia hoitui.",
                "Vastaus tuli kahdessa päivässä, itse vastaus oli ihan hyvä.",
            ),
            "th": (
                "ได้คำตอบวันรุ่งขึ้น ก็โอเคอยู่",
                "ตอบช้าเร็วปานกลาง ประมาณ 24 ชั่วโมง",
                "รอสาย 15 นาที แล้วก็แก้ปัญหาได้",
                "ได้คำตอบภายในสองวัน คำตอบก็ใช้ได้",
            ),
            "es": (
                "Me respondieron al día siguiente, está bien, supongo.",
                "Tiempo de respuesta normal, unas 24 horas.",
                "Esperé 15 minutos al teléfono y luego lo solucionaron.",
                "La respuesta llegó en dos días, y estaba bien.",
            ),
            "de": (
                "Antwort kam am nächsten Tag, ist wohl okay.",
                "Reaktionszeit durchschnittlich, etwa 24 Stunden.",
                "15 Minuten in der Warteschleife, danach war alles geklärt.",
                "Antwort kam nach zwei Tagen, inhaltlich in Ordnung.",
            ),
        },
        "positive": {
            "en": (
                "Got a reply within 10 minutes, impressive!",
                "Super quick response on chat, problem solved right away.",
                "Emailed on a Sunday and had an answer an hour later. Wow.",
                "No waiting on the phone at all, straight to a real person.",
            ),
            "zh": (
                "十分钟内就回复了，很厉害！",
                "在线客服回复超快，问题马上就解决了。",
                "周日发的邮件，一个小时后就收到了答复，惊喜。",
                "打电话完全不用等，直接就接通了真人客服。",
            ),
            "ru": (
                "Ответили в течение 10 минут, впечатляет!",
                "В чате ответили очень быстро, проблему решили сразу.",
                "Написал в воскресенье, а через час уже был ответ. Вау.",
                "По телефону вообще не ждал, сразу попал на живого человека.",
            ),
            "fi": (
                "Sain vastauksen 10 minuutissa, vaikuttavaa!",
                "Chatissa vastattiin tosi nopeasti, ongelma ratkesi heti.",
                "Laitoin viestin sunnuntaina ja vastaus tuli tunnissa. Vau.",
                "Puhelimessa ei tarvinnut jonottaa ollenkaan, pääsin suoraan puhumaan ihmiselle.",
            ),
            "th": (
                "ตอบกลับภายใน 10 นาที ประทับใจมาก!",
                "แชตตอบไวมาก แก้ปัญหาได้ทันที",
                "ส่งอีเมลไปวันอาทิตย์ อีกชั่วโมงเดียวก็ได้คำตอบ ว้าว",
                "โทรไปไม่ต้องรอสายเลย ได้คุยกับคนจริงทันที",
            ),
            "es": (
                "Me respondieron en menos de 10 minutos, ¡impresionante!",
                "Respuesta rapidísima en el chat, problema resuelto al momento.",
                "Escribí un domingo y a la hora ya tenía respuesta. Increíble.",
                "Nada de esperas al teléfono, me atendió una persona enseguida.",
            ),
            "de": (
                "Antwort innerhalb von 10 Minuten, beeindruckend!",
                "Super schnelle Antwort im Chat, Problem sofort gelöst.",
                "Am Sonntag geschrieben und eine Stunde später Antwort gehabt. Wow.",
                "Gar keine Warteschleife, direkt einen echten Menschen am Telefon.",
            ),
        },
    },
    # How fast and easy the refund was
    "refund": {
        "negative": {
            "en": (
                "Returned the item a month ago and still no refund.",
                "Refund took six weeks and three reminder emails.",
                "They refunded only half the amount without explaining why.",
                'Promised a refund "within 5 days". That was 3 weeks ago.',
            ),
            "zh": (
                "一个月前就退货了，到现在还没退款。",
                "退款花了六周，还发了三次邮件催。",
                "只退了一半的钱，也没解释为什么。",
                "说好“5天内退款”，现在都三周了。",
            ),
            "ru": (
                "Вернул товар месяц назад, а деньги так и не вернули.",
                "Возврат денег занял шесть недель и три письма-напоминания.",
                "Вернули только половину суммы и ничего не объяснили.",
                "Обещали вернуть деньги «в течение 5 дней». Прошло уже три недели.",
            ),
            "fi": (
                "Palautin tuotteen kuukausi sitten, eikä rahoja ole vieläkään palautettu.",
                "Hyvitys kesti kuusi viikkoa ja vaati kolme muistutusviestiä.",
                "Palauttivat vain puolet summasta eivätkä selittäneet miksi.",
                'Lupasivat hyvityksen "5 päivän kuluessa". Siitä on nyt kolme viikkoa.',
            ),
            "th": (
                "คืนของไปเดือนนึงแล้ว ยังไม่ได้เงินคืนเลย",
                "กว่าจะได้เงินคืนใช้เวลาหกสัปดาห์ ต้องส่งอีเมลทวงสามรอบ",
                "คืนเงินให้แค่ครึ่งเดียว ไม่อธิบายอะไรเลย",
                'สัญญาว่าจะคืนเงิน "ภายใน 5 วัน" ตอนนี้ผ่านไปสามสัปดาห์แล้ว',
            ),
            "es": (
                "Devolví el producto hace un mes y sigo sin el reembolso.",
                "El reembolso tardó seis semanas y tres correos de recordatorio.",
                "Solo me devolvieron la mitad del importe y sin explicación.",
                'Prometieron el reembolso "en 5 días". Ya van tres semanas.',
            ),
            "de": (
                "Artikel vor einem Monat zurückgeschickt und immer noch kein Geld zurück.",
                "Die Erstattung hat sechs Wochen und drei Erinnerungsmails gedauert.",
                "Nur die Hälfte erstattet, ohne Begründung.",
                'Erstattung "innerhalb von 5 Tagen" versprochen. Das war vor drei Wochen.',
            ),
        },
        "neutral": {
            "en": (
                "Refund arrived after about 10 days, as described.",
                "Got my money back, but the return form was a hassle.",
                "Refund was processed, shipping costs weren't included though.",
                "Took a while, but the refund eventually showed up.",
            ),
            "zh": (
                "大约10天后收到退款，和说明的一样。",
                "钱是退回来了，但退货单填起来很麻烦。",
                "退款处理好了，不过运费没退。",
                "花了点时间，但最后还是收到了退款。",
            ),
            "ru": (
                "Деньги вернули примерно через 10 дней, как и было написано.",
                "Деньги вернули, но с формой возврата пришлось повозиться.",
                "Возврат оформили, правда, стоимость доставки не компенсировали.",
                "Пришлось подождать, но в итоге деньги пришли.",
            ),
            "fi": (
                "Hyvitys tuli noin 10 päivässä, kuten luvattiin.",
                "Rahat tulivat takaisin, mutta palautuslomake oli hankala.",
                "Hyvitys käsiteltiin, mutta postikuluja ei korvattu.",
                "Kesti aikansa, mutta hyvitys tuli lopulta.",
            ),
            "th": (
                "ได้เงินคืนประมาณ 10 วัน ตามที่แจ้งไว้",
                "ได้เงินคืนแล้ว แต่แบบฟอร์มคืนสินค้ายุ่งยาก",
                "ดำเนินการคืนเงินแล้ว แต่ไม่คืนค่าส่ง",
                "ใช้เวลานานหน่อย แต่สุดท้ายก็ได้เงินคืน",
            ),
            "es": (
                "El reembolso llegó en unos 10 días, tal como indicaban.",
                "Me devolvieron el dinero, pero el formulario de devolución fue un lío.",
                "Tramitaron el reembolso, aunque sin los gastos de envío.",
                "Tardó un poco, pero al final llegó el reembolso.",
            ),
            "de": (
                "Die Erstattung kam nach etwa 10 Tagen, wie angegeben.",
                "Geld zurückbekommen, aber das Rücksendeformular war umständlich.",
                "Erstattung wurde bearbeitet, die Versandkosten allerdings nicht.",
                "Hat etwas gedauert, aber die Erstattung kam schließlich an.",
            ),
        },
        "positive": {
            "en": (
                "Refund hit my account the next day, very impressed.",
                "Returned it with no hassle and got my money back in 2 days.",
                "Super easy refund process, no awkward questions.",
                "They refunded me before the return even arrived. Great service!",
            ),
            "zh": (
                "第二天退款就到账了，非常满意。",
                "退货一点都不麻烦，两天就收到退款了。",
                "退款流程超简单，也没被问东问西。",
                "退货还没寄到，他们就先给我退款了，服务太好了！",
            ),
            "ru": (
                "Деньги вернулись на карту уже на следующий день, очень впечатлён.",
                "Вернул без проблем, деньги пришли через 2 дня.",
                "Очень простой возврат, никаких неловких вопросов.",
                "Деньги вернули ещё до того, как к ним дошла посылка. Отличный сервис!",
            ),
            "fi": (
                "Rahat olivat tilillä jo seuraavana päivänä, tosi vaikuttunut.",
                "Palautus sujui vaivatta ja rahat tulivat kahdessa päivässä.",
                "Todella helppo palautusprosessi, ei mitään kiusallisia kysymyksiä.",
                "Hyvittivät rahat jo ennen kuin palautus edes saapui. Loistavaa palvelua!",
            ),
            "th": (
                "เงินคืนเข้าบัญชีวันรุ่งขึ้นเลย ประทับใจมาก",
                "คืนของง่าย ได้เงินคืนภายใน 2 วัน",
                "ขั้นตอนคืนเงินง่ายมาก ไม่ถามอะไรให้อึดอัด",
                "คืนเงินให้ก่อนของที่ส่งคืนจะไปถึงอีก บริการดีมาก!",
            ),
            "es": (
                "El reembolso llegó al día siguiente, muy sorprendido.",
                "Devolución sin complicaciones y el dinero en 2 días.",
                "Reembolso facilísimo, sin preguntas incómodas.",
                "Me reembolsaron antes incluso de que les llegara la devolución. ¡Un servicio genial!",
            ),
            "de": (
                "Das Geld war schon am nächsten Tag auf dem Konto, sehr beeindruckt.",
                "Rücksendung völlig unkompliziert, Geld nach 2 Tagen zurück.",
                "Super einfache Erstattung, keine unangenehmen Fragen.",
                "Die haben erstattet, bevor die Rücksendung überhaupt angekommen war. Toller Service!",
            ),
        },
    },
    # Quality and durability of the product
    "product_quality": {
        "negative": {
            "en": (
                "Stopped working after two weeks.",
                "The fabric started pilling after the first wash.",
                "Feels cheap and flimsy, nothing like the photos.",
                "Zipper broke on day three. Poor quality.",
                "The product doesn't do half of what the description promises.",
            ),
            "zh": (
                "用了两周就坏了。",
                "洗了一次就开始起球了。",
                "手感很廉价，做工粗糙，和图片完全不一样。",
                "拉链第三天就坏了，质量太差了。",
            ),
            "ru": (
                "Сломалось через две недели.",
                "Ткань начала скатываться после первой стирки.",
                "Ощущается дёшево и хлипко, совсем не как на фото.",
                "Молния сломалась на третий день. Качество никакое.",
            ),
            "fi": (
                "Lakkasi toimimasta kahden viikon jälkeen.",
                "Kangas alkoi nyppyyntyä jo ensimmäisessä pesussa.",
                "Tuntuu halvalta ja hutiloidulta, ei yhtään kuvien näköinen.",
                "Vetoketju hajosi kolmantena päivänä. Huono laatu.",
            ),
            "th": (
                "ใช้ได้สองอาทิตย์ก็เสียแล้ว",
                "ผ้าเป็นขุยตั้งแต่ซักครั้งแรก",
                "ดูถูก ๆ บอบบาง ไม่เหมือนในรูปเลย",
                "ซิปพังตั้งแต่วันที่สาม คุณภาพแย่มาก",
            ),
            "es": (
                "Dejó de funcionar a las dos semanas.",
                "A la tela le salieron bolitas después del primer lavado.",
                "Se nota barato y endeble, nada que ver con las fotos.",
                "La cremallera se rompió al tercer día. Muy mala calidad.",
            ),
            "de": (
                "Nach zwei Wochen kaputt gegangen.",
                "Der Stoff hat schon nach der ersten Wäsche Knötchen gebildet.",
                "Fühlt sich billig und wackelig an, sieht ganz anders aus als auf den Fotos.",
                "Reißverschluss am dritten Tag kaputt. Schlechte Qualität.",
            ),
        },
        "neutral": {
            "en": (
                "Quality is decent for the price.",
                "Works as described, nothing more.",
                "Good build overall, but the buttons feel a bit loose.",
                "It's fine. Not as sturdy as my old one.",
            ),
            "zh": (
                "这个价位质量还算可以。",
                "和描述的一样，没什么惊喜。",
                "整体做工不错，就是按键有点松。",
                "还行吧，没有我以前那个结实。",
            ),
            "ru": (
                "Качество нормальное для такой цены.",
                "Работает как описано, не больше.",
                "В целом сделано хорошо, но кнопки немного болтаются.",
                "Нормально. Не такой крепкий, как мой старый.",
            ),
            "fi": (
                "Laatu on ihan ok hintaan nähden.",
                "Toimii kuten kuvattu, ei sen enempää.",
                "Hyvin tehty kokonaisuutena, mutta napit tuntuvat vähän löysiltä.",
                "Ihan ok. Ei yhtä tukeva kuin vanha.",
            ),
            "th": (
                "คุณภาพพอใช้ได้เมื่อเทียบกับราคา",
                "ใช้งานได้ตามที่บอกไว้ ไม่มีอะไรเกินกว่านั้น",
                "โดยรวมทำมาดี แต่ปุ่มหลวม ๆ ไปนิด",
                "ก็โอเคนะ แต่ไม่แข็งแรงเท่าอันเก่า",
            ),
            "es": (
                "La calidad es correcta para el precio.",
                "Funciona como dice la descripción, sin más.",
                "En general bien hecho, pero los botones bailan un poco.",
                "Está bien. No es tan resistente como el que tenía antes.",
            ),
            "de": (
                "Die Qualität ist für den Preis in Ordnung.",
                "Funktioniert wie beschrieben, mehr aber auch nicht.",
                "Insgesamt gut verarbeitet, nur die Tasten wackeln etwas.",
                "Ganz okay. Nicht so robust wie mein altes.",
            ),
        },
        "positive": {
            "en": (
                "Excellent quality, feels really solid.",
                "Been using it daily for six months and it still looks new.",
                "Better than I expected, the materials are top notch.",
                "Really well made, you can tell they care about the details.",
            ),
            "zh": (
                "质量非常好，用起来很扎实。",
                "每天都在用，已经半年了，还跟新的一样。",
                "比预期好，用料很讲究。",
                "做工很精细，看得出来很用心。",
            ),
            "ru": (
                "Отличное качество, очень добротная вещь.",
                "Пользуюсь каждый день уже полгода, выглядит как новый.",
                "Лучше, чем ожидал, материалы на высоте.",
                "Очень качественно сделано, видно внимание к деталям.",
            ),
            "fi": (
                "Erinomainen laatu, tuntuu tosi tukevalta.",
                "Olen käyttänyt päivittäin puoli vuotta ja näyttää yhä uudelta.",
                "Parempi kuin odotin, materiaalit ovat huippuluokkaa.",
                "Todella hyvin tehty, huomaa että yksityiskohtiin on panostettu.",
            ),
            "th": (
                "คุณภาพดีเยี่ยม จับแล้วแน่นหนามาก",
                "ใช้ทุกวันมาหกเดือนแล้ว ยังดูเหมือนใหม่",
                "ดีกว่าที่คาดไว้ วัสดุเกรดดีมาก",
                "ทำมาดีมาก เห็นเลยว่าใส่ใจทุกรายละเอียด",
            ),
            "es": (
                "Calidad excelente, se nota muy sólido.",
                "Lo uso a diario desde hace seis meses y sigue como nuevo.",
                "Mejor de lo que esperaba, los materiales son de primera.",
                "Muy bien hecho, se nota el cuidado en los detalles.",
            ),
            "de": (
                "Hervorragende Qualität, fühlt sich richtig solide an.",
                "Seit sechs Monaten täglich im Einsatz und sieht noch aus wie neu.",
                "Besser als erwartet, die Materialien sind erstklassig.",
                "Richtig gut verarbeitet, man merkt die Liebe zum Detail.",
            ),
        },
    },
    # Speed and stability of the app
    "app_performance": {
        "negative": {
            "en": (
                "App crashes every time I open the camera.",
                "So slow, takes 10 seconds to load my dashboard.",
                "Since the last update the app freezes constantly.",
                "Drains my battery like crazy and keeps logging me out.",
                "Crashed three times while I was trying to place an order.",
            ),
            "zh": (
                "每次一打开相机，App就闪退。",
                "太卡了，打开首页要等10秒。",
                "上次更新之后App老是卡死。",
                "特别耗电，还总是自动退出登录。",
            ),
            "ru": (
                "Приложение вылетает каждый раз, когда открываю камеру.",
                "Жутко тормозит, главная грузится секунд 10.",
                "После последнего обновления приложение постоянно зависает.",
                "Жрёт батарею со страшной силой и постоянно разлогинивает.",
            ),
            "fi": (
                "Sovellus kaatuu aina kun avaan kameran.",
                "Tosi hidas, etusivun latautuminen kestää 10 sekuntia.",
                "Viimeisimmän päivityksen jälkeen sovellus jumittaa jatkuvasti.",
                "Syö akkua ihan hirveästi ja kirjaa minut ulos koko ajan.",
            ),
            "th": (
                "แอปเด้งออกทุกครั้งที่เปิดกล้อง",
                "ช้ามาก เปิดหน้าแดชบอร์ดต้องรอ 10 วินาที",
                "ตั้งแต่อัปเดตล่าสุด แอปค้างตลอดเลย",
                "กินแบตหนักมาก แถมเด้งออกจากระบบบ่อย",
            ),
            "es": (
                "La app se cierra cada vez que abro la cámara.",
                "Lentísima, tarda 10 segundos en cargar el panel.",
                "Desde la última actualización la app se congela todo el rato.",
                "Me chupa la batería y encima me cierra la sesión cada dos por tres.",
            ),
            "de": (
                "Die App stürzt jedes Mal ab, wenn ich die Kamera öffne.",
                "Extrem langsam, das Dashboard braucht 10 Sekunden zum Laden.",
                "Seit dem letzten Update friert die App ständig ein.",
                "Zieht den Akku leer wie verrückt und meldet mich dauernd ab.",
            ),
        },
        "neutral": {
            "en": (
                "App works, but it's a bit sluggish on my older phone.",
                "Mostly fine, occasional lag when scrolling.",
                "The new version is OK, not faster, not slower.",
                "Crashed once this week, otherwise it does the job.",
            ),
            "zh": (
                "App能用，就是在我的旧手机上有点卡。",
                "基本没问题，滑动的时候偶尔会卡一下。",
                "新版本还行，不快也不慢。",
                "这周闪退了一次，其他时候都还好。",
            ),
            "ru": (
                "Приложение работает, но на моём старом телефоне подтормаживает.",
                "В целом нормально, иногда лагает при прокрутке.",
                "Новая версия нормальная, не быстрее и не медленнее.",
                "На этой неделе один раз вылетело, в остальном справляется.",
            ),
            "fi": (
                "Sovellus toimii, mutta vanhalla puhelimellani se on vähän hidas.",
                "Pääosin ok, välillä nykii selatessa.",
                "Uusi versio on ok, ei nopeampi eikä hitaampi.",
                "Kaatui kerran tällä viikolla, muuten hoitaa homman.",
            ),
            "th": (
                "แอปใช้ได้ แต่อืด ๆ หน่อยในมือถือเครื่องเก่า",
                "ส่วนใหญ่ก็โอเค มีกระตุกบ้างตอนเลื่อนหน้าจอ",
                "เวอร์ชันใหม่ก็โอเค ไม่ได้เร็วขึ้นหรือช้าลง",
                "สัปดาห์นี้เด้งไปครั้งนึง นอกนั้นก็ใช้งานได้",
            ),
            "es": (
                "La app funciona, pero va algo lenta en mi móvil antiguo.",
                "En general bien, a veces se traba al hacer scroll.",
                "La nueva versión está bien, ni más rápida ni más lenta.",
                "Se cerró una vez esta semana, por lo demás cumple.",
            ),
            "de": (
                "App funktioniert, ist aber auf meinem älteren Handy etwas träge.",
                "Meistens okay, ab und zu ruckelt es beim Scrollen.",
                "Die neue Version ist okay, weder schneller noch langsamer.",
                "Diese Woche einmal abgestürzt, ansonsten erfüllt sie ihren Zweck.",
            ),
        },
        "positive": {
            "en": (
                "App is fast and super smooth, love it.",
                "The latest update made everything so much snappier.",
                "Never had a single crash, very reliable app.",
                "Loads instantly even on a bad connection. Great job.",
            ),
            "zh": (
                "App又快又流畅，很喜欢。",
                "最近这次更新之后，用起来顺畅多了。",
                "从来没闪退过，非常稳定。",
                "网络不好的时候也能秒开，很赞。",
            ),
            "ru": (
                "Приложение быстрое и очень плавное, нравится.",
                "После последнего обновления всё стало гораздо шустрее.",
                "Ни разу не вылетало, очень надёжное приложение.",
                "Загружается мгновенно даже при плохом интернете. Отличная работа.",
            ),
            "fi": (
                "Sovellus on nopea ja tosi sulava, tykkään.",
                "Uusin päivitys teki kaikesta paljon nopeampaa.",
                "Ei ole kaatunut kertaakaan, tosi luotettava sovellus.",
                "Latautuu heti huonollakin yhteydellä. Hyvää työtä.",
            ),
            "th": (
                "แอปเร็วและลื่นมาก ชอบเลย",
                "อัปเดตล่าสุดทำให้ทุกอย่างไวขึ้นเยอะ",
                "ไม่เคยเด้งเลยสักครั้ง แอปเสถียรมาก",
                "เน็ตไม่ดีก็ยังโหลดไว ทำได้ดีมาก",
            ),
            "es": (
                "La app es rápida y muy fluida, me encanta.",
                "Con la última actualización todo va mucho más ágil.",
                "Nunca se me ha cerrado, app muy fiable.",
                "Carga al instante incluso con mala conexión. Buen trabajo.",
            ),
            "de": (
                "Die App ist schnell und läuft super flüssig, top.",
                "Mit dem letzten Update ist alles viel flotter geworden.",
                "Noch kein einziger Absturz, sehr zuverlässige App.",
                "Lädt sofort, selbst bei schlechtem Empfang. Gute Arbeit.",
            ),
        },
    },
    # Wrong or duplicate charges on invoices
    "billing_error": {
        "negative": {
            "en": (
                "I was charged twice this month and nobody can tell me why.",
                "Invoice #INV-3387 shows a plan I never signed up for.",
                "Cancelled in March, still getting billed. Ridiculous.",
                "VAT was added twice on my invoice. Fix this please.",
                "Got charged for 12 seats, we only have 5 users.",
            ),
            "zh": (
                "这个月被扣了两次款，没人能说清楚为什么。",
                "发票#INV-3387上是一个我从没开通过的套餐。",
                "三月份就取消了，到现在还在扣费，太离谱了。",
                "发票上的税被算了两遍，请尽快处理。",
            ),
            "ru": (
                "В этом месяце списали дважды, и никто не может объяснить почему.",
                "В счёте #INV-3387 указан тариф, который я никогда не подключал.",
                "Отменил подписку в марте, а деньги всё ещё списывают. Абсурд.",
                "В счёте НДС посчитали дважды. Исправьте, пожалуйста.",
            ),
            "fi": (
                "Minulta veloitettiin tässä kuussa kahdesti, eikä kukaan osaa kertoa miksi.",
                "Laskulla #INV-3387 on paketti, jota en ole koskaan tilannut.",
                "Peruin maaliskuussa ja silti laskutetaan. Naurettavaa.",
                "Laskulla ALV on laskettu kahteen kertaan. Korjatkaa tämä.",
            ),
            "th": (
                "เดือนนี้โดนตัดเงินสองรอบ ไม่มีใครอธิบายได้ว่าทำไม",
                "ใบแจ้งหนี้ #INV-3387 เป็นแพ็กเกจที่ไม่เคยสมัครเลย",
                "ยกเลิกไปตั้งแต่มีนาคม แต่ยังโดนเรียกเก็บเงินอยู่ ไร้สาระมาก",
                "ใบแจ้งหนี้คิด VAT ซ้ำสองรอบ ช่วยแก้ด้วย",
            ),
            "es": (
                "Este mes me cobraron dos veces y nadie sabe decirme por qué.",
                "La factura #INV-3387 incluye un plan que nunca contraté.",
                "Cancelé en marzo y me siguen cobrando. Es ridículo.",
                "Me aplicaron el IVA dos veces en la factura. Arreglen esto, por favor.",
            ),
            "de": (
                "Diesen Monat doppelt abgebucht und niemand kann mir sagen, warum.",
                "Auf Rechnung #INV-3387 steht ein Tarif, den ich nie gebucht habe.",
                "Im März gekündigt und werde immer noch belastet. Lächerlich.",
                "Auf der Rechnung wurde die MwSt. doppelt berechnet. Bitte korrigieren.",
            ),
        },
        "neutral": {
            "en": (
                "There was a small mistake on my invoice, they corrected it.",
                "Billing was off by a few euros, sorted after one email.",
                "Invoice layout is confusing but the amount was right.",
                "Had a double charge, refunded after a week.",
            ),
            "zh": (
                "发票上有个小错误，他们已经更正了。",
                "账单多算了几块钱，发了一封邮件就处理好了。",
                "发票格式看着有点乱，不过金额是对的。",
                "被重复扣款了一次，一周后退回来了。",
            ),
            "ru": (
                "В счёте была небольшая ошибка, её исправили.",
                "Насчитали на пару евро больше, решили после одного письма.",
                "Формат счёта запутанный, но сумма правильная.",
                "Деньги списали дважды, через неделю вернули.",
            ),
            "fi": (
                "Laskussa oli pieni virhe, se korjattiin.",
                "Laskutus meni muutaman euron pieleen, korjattiin yhdellä sähköpostilla.",
                "Laskun asettelu on sekava, mutta summa oli oikein.",
                "Tuli tuplaveloitus, hyvitettiin viikon päästä.",
            ),
            "th": (
                "ใบแจ้งหนี้ผิดนิดหน่อย แต่เขาแก้ให้แล้ว",
                "บิลคิดเกินมาไม่กี่บาท ส่งอีเมลไปครั้งเดียวก็แก้ให้",
                "รูปแบบใบแจ้งหนี้ดูงง ๆ แต่ยอดเงินถูกต้อง",
                "โดนตัดเงินซ้ำ แต่ได้คืนภายในหนึ่งสัปดาห์",
            ),
            "es": (
                "Había un pequeño error en la factura, lo corrigieron.",
                "Me cobraron unos euros de más, lo solucionaron con un solo correo.",
                "El formato de la factura es confuso, pero el importe era correcto.",
                "Tuve un cobro duplicado, me lo devolvieron a la semana.",
            ),
            "de": (
                "Auf meiner Rechnung war ein kleiner Fehler, der wurde korrigiert.",
                "Die Abrechnung lag ein paar Euro daneben, nach einer Mail war es geklärt.",
                "Das Rechnungslayout ist unübersichtlich, aber der Betrag stimmte.",
                "Hatte eine doppelte Abbuchung, wurde nach einer Woche erstattet.",
            ),
        },
        "positive": {
            "en": (
                "Billing is always clear & accurate, no surprises.",
                "Spotted a wrong charge and they fixed it the same day. Thanks!",
                "Love the detailed invoices, easy for our accounting.",
                "They noticed the overcharge before I did and refunded it automatically.",
            ),
            "zh": (
                "账单一直清楚准确，从来没有意外。",
                "发现一笔扣错的钱，当天就处理好了，谢谢！",
                "发票很详细，对我们做账很方便。",
                "他们比我先发现多收了钱，还自动退款了。",
            ),
            "ru": (
                "Счета всегда понятные и точные, никаких сюрпризов.",
                "Заметил неверное списание, исправили в тот же день. Спасибо!",
                "Очень подробные счета, бухгалтерии удобно.",
                "Они сами заметили переплату раньше меня и вернули деньги автоматически.",
            ),
            "fi": (
                "Laskutus on aina selkeää ja tarkkaa, ei yllätyksiä.",
                "Huomasin väärän veloituksen ja se korjattiin samana päivänä. Kiitos!",
                "Tykkään yksityiskohtaisista laskuista, helpottaa kirjanpitoa.",
                "He huomasivat ylilaskutuksen ennen minua ja hyvittivät sen automaattisesti.",
            ),
            "th": (
                "บิลชัดเจนและถูกต้องเสมอ ไม่มีอะไรให้ตกใจ",
                "เจอยอดเรียกเก็บผิด เขาแก้ให้ภายในวันเดียว ขอบคุณค่ะ",
                "ชอบที่ใบแจ้งหนี้ละเอียด ทำบัญชีง่ายมาก",
                "เขาเจอว่าเก็บเงินเกินก่อนเราอีก แล้วก็คืนเงินให้อัตโนมัติ",
            ),
            "es": (
                "La facturación siempre es clara y exacta, sin sorpresas.",
                "Vi un cargo erróneo y lo arreglaron el mismo día. ¡Gracias!",
                "Me encantan las facturas tan detalladas, facilitan mucho la contabilidad.",
                "Detectaron el cobro de más antes que yo y me lo devolvieron automáticamente.",
            ),
            "de": (
                "Die Abrechnung ist immer klar und korrekt, keine Überraschungen.",
                "Eine falsche Abbuchung entdeckt und sie wurde noch am selben Tag korrigiert. Danke!",
                "Die detaillierten Rechnungen sind super für unsere Buchhaltung.",
                "Sie haben die Überzahlung vor mir bemerkt und automatisch erstattet.",
            ),
        },
    },
    # How useful the webinar was
    "webinar": {
        "negative": {
            "en": (
                "The webinar was basically a 60-minute sales pitch.",
                "Audio kept cutting out, couldn't follow half of it.",
                "Boring slides read word for word. Left after 20 minutes.",
                "They ran out of time and skipped the Q&A entirely.",
                "Started 15 minutes late and the live demo didn't work.",
            ),
            "zh": (
                "这场网络研讨会基本就是60分钟的推销。",
                "声音一直断断续续，一半内容都没听清。",
                "幻灯片很无聊，主讲人照着念。20分钟后我就退出了。",
                "时间不够，问答环节直接取消了。",
            ),
            "ru": (
                "Вебинар был по сути 60-минутной рекламой.",
                "Звук постоянно пропадал, половину не расслышал.",
                "Скучные слайды, которые зачитывали слово в слово. Ушёл через 20 минут.",
                "Не уложились по времени и вообще пропустили вопросы и ответы.",
            ),
            "fi": (
                "Webinaari oli käytännössä 60 minuutin myyntipuhe.",
                "Ääni katkeili koko ajan, puolet jäi kuulematta.",
                "Tylsät diat luettiin sanasta sanaan. Lähdin 20 minuutin jälkeen.",
                "Aika loppui kesken ja kysymysosio jätettiin kokonaan väliin.",
            ),
            "th": (
                "เว็บบินาร์นี้ก็คือการขายของ 60 นาทีดี ๆ นี่เอง",
                "เสียงขาด ๆ หาย ๆ ตลอด ฟังไม่รู้เรื่องไปครึ่งหนึ่ง",
                "สไลด์น่าเบื่อ อ่านตามสไลด์ทุกคำ ออกไปหลังจาก 20 นาที",
                "เวลาไม่พอ เลยข้ามช่วงถามตอบไปเลย",
            ),
            "es": (
                "El webinar fue básicamente una presentación de ventas de 60 minutos.",
                "El audio se cortaba todo el rato, no pude seguir la mitad.",
                "Diapositivas aburridas leídas palabra por palabra. Me fui a los 20 minutos.",
                "Se quedaron sin tiempo y se saltaron las preguntas.",
            ),
            "de": (
                "Das Webinar war im Grunde eine 60-minütige Verkaufsshow.",
                "Der Ton ist ständig weggebrochen, die Hälfte habe ich nicht verstanden.",
                "Langweilige Folien, Wort für Wort vorgelesen. Nach 20 Minuten raus.",
                "Die Zeit war zu knapp und die Fragerunde fiel komplett weg.",
            ),
        },
        "neutral": {
            "en": (
                "Webinar was OK, mostly stuff I already knew.",
                "Some useful tips, but it could have been 30 minutes shorter.",
                "Decent overview, would have liked more real examples.",
                "Fine for beginners, not much for advanced users.",
            ),
            "zh": (
                "研讨会还行，大部分内容我都已经知道了。",
                "有一些有用的技巧，但可以再缩短30分钟。",
                "概览讲得还可以，希望多一些实际案例。",
                "适合新手，对高级用户帮助不大。",
            ),
            "ru": (
                "Вебинар нормальный, в основном то, что я уже знал.",
                "Есть полезные советы, но можно было сократить минут на 30.",
                "Неплохой обзор, хотелось бы больше реальных примеров.",
                "Для новичков нормально, для продвинутых мало нового.",
            ),
            "fi": (
                "Webinaari oli ok, enimmäkseen asioita, jotka tiesin jo.",
                "Muutama hyödyllinen vinkki, mutta olisi voinut olla puoli tuntia lyhyempi.",
                "Ihan hyvä yleiskatsaus, olisin kaivannut enemmän oikeita esimerkkejä.",
                "Sopii aloittelijoille, kokeneemmille ei paljon uutta.",
            ),
            "th": (
                "เว็บบินาร์ก็โอเค ส่วนใหญ่เป็นเรื่องที่รู้อยู่แล้ว",
                "มีเคล็ดลับที่มีประโยชน์อยู่บ้าง แต่น่าจะสั้นกว่านี้สัก 30 นาที",
                "ภาพรวมก็ดีอยู่ อยากให้มีตัวอย่างจริงมากกว่านี้",
                "เหมาะกับมือใหม่ แต่สำหรับคนที่ใช้เป็นแล้วไม่ค่อยได้อะไร",
            ),
            "es": (
                "El webinar estuvo bien, casi todo cosas que ya sabía.",
                "Algunos consejos útiles, pero podría haber durado media hora menos.",
                "Buen resumen general, me habría gustado ver más ejemplos reales.",
                "Bien para principiantes, poco para usuarios avanzados.",
            ),
            "de": (
                "Webinar war okay, meistens Sachen, die ich schon kannte.",
                "Ein paar nützliche Tipps, hätte aber eine halbe Stunde kürzer sein können.",
                "Ordentlicher Überblick, mehr Praxisbeispiele wären gut gewesen.",
                "Gut für Einsteiger, für Fortgeschrittene wenig Neues.",
            ),
        },
        "positive": {
            "en": (
                "Really useful webinar, I picked up three ideas I'm using already.",
                "Great speaker, clear examples & a lively Q&A.",
                "Best webinar I've attended this year, thanks for sharing the slides!",
                "Short, practical and to the point. Loved it.",
            ),
            "zh": (
                "研讨会非常有用，学到了三个点子，已经用上了。",
                "主讲人很棒，案例清晰，问答环节也很热烈。",
                "今年参加过最好的研讨会，谢谢分享课件！",
                "简短、实用、直击重点，很喜欢。",
            ),
            "ru": (
                "Очень полезный вебинар, взял три идеи и уже применяю.",
                "Отличный спикер, понятные примеры и живая сессия вопросов.",
                "Лучший вебинар, на котором я был в этом году, спасибо за слайды!",
                "Коротко, практично и по делу. Очень понравилось.",
            ),
            "fi": (
                "Tosi hyödyllinen webinaari, sain kolme ideaa, joita käytän jo.",
                "Loistava puhuja, selkeät esimerkit ja vilkas kysymysosio.",
                "Paras webinaari, johon olen tänä vuonna osallistunut, kiitos diojen jakamisesta!",
                "Lyhyt, käytännöllinen ja asiassa pysyvä. Tykkäsin.",
            ),
            "th": (
                "เว็บบินาร์มีประโยชน์มาก ได้ไอเดียสามอย่างที่เอาไปใช้แล้ว",
                "วิทยากรเก่งมาก ยกตัวอย่างชัดเจน ช่วงถามตอบก็สนุก",
                "เว็บบินาร์ที่ดีที่สุดที่เข้าร่วมปีนี้ ขอบคุณที่แชร์สไลด์นะคะ!",
                "สั้น กระชับ ใช้ได้จริง ชอบมาก",
            ),
            "es": (
                "Webinar muy útil, saqué tres ideas que ya estoy aplicando.",
                "Muy buen ponente, ejemplos claros y una ronda de preguntas muy animada.",
                "El mejor webinar al que he asistido este año, ¡gracias por compartir las diapositivas!",
                "Corto, práctico y al grano. Me encantó.",
            ),
            "de": (
                "Sehr nützliches Webinar, drei Ideen mitgenommen, die ich schon umsetze.",
                "Toller Referent, klare Beispiele & eine lebhafte Fragerunde.",
                "Das beste Webinar, das ich dieses Jahr besucht habe, danke für die Folien!",
                "Kurz, praxisnah und auf den Punkt. Hat mir sehr gefallen.",
            ),
        },
    },
    # Renewal price and renewal process
    "renewal": {
        "negative": {
            "en": (
                "Renewal price jumped 40% with no warning.",
                "Auto-renewed without any reminder email. Not OK.",
                "They want twice the price to renew, I'm looking at alternatives.",
                "The renewal payment failed and they suspended our account the same day.",
                "Loyal customer for 5 years and this is the thanks: a huge price hike.",
            ),
            "zh": (
                "续费价格一下涨了40%，完全没提前通知。",
                "没发任何提醒邮件就自动续费了，太不像话了。",
                "续费要翻倍的价钱，我在考虑换别家了。",
                "续费付款失败，他们当天就把我们的账号停了。",
            ),
            "ru": (
                "Цену продления подняли на 40% без всякого предупреждения.",
                "Подписка продлилась автоматически без единого напоминания. Так нельзя.",
                "За продление хотят вдвое больше, ищу альтернативы.",
                "Платёж за продление не прошёл, и в тот же день нам заблокировали аккаунт.",
            ),
            "fi": (
                "Uusimishinta nousi 40 % ilman mitään varoitusta.",
                "Tilaus uusiutui automaattisesti ilman yhtään muistutusta. Ei ok.",
                "Uusimisesta pyydetään tuplahinta, etsin jo vaihtoehtoja.",
                "Uusimismaksu epäonnistui ja tilimme suljettiin samana päivänä.",
            ),
            "th": (
                "ราคาต่ออายุขึ้น 40% โดยไม่แจ้งล่วงหน้าเลย",
                "ต่ออายุอัตโนมัติโดยไม่มีอีเมลเตือนสักฉบับ ไม่โอเค",
                "ต่ออายุแพงขึ้นเป็นสองเท่า กำลังมองหาเจ้าอื่นอยู่",
                "จ่ายค่าต่ออายุไม่ผ่าน แล้วระงับบัญชีเราในวันเดียวกันเลย",
            ),
            "es": (
                "El precio de la renovación subió un 40% sin avisar.",
                "Se renovó automáticamente sin ningún correo de aviso. No está bien.",
                "Piden el doble por renovar, ya estoy buscando alternativas.",
                "Falló el pago de la renovación y ese mismo día nos suspendieron la cuenta.",
            ),
            "de": (
                "Der Verlängerungspreis ist ohne Vorwarnung um 40% gestiegen.",
                "Automatisch verlängert, ohne eine einzige Erinnerungsmail. Geht gar nicht.",
                "Für die Verlängerung wollen sie den doppelten Preis, ich schaue mich nach Alternativen um.",
                "Die Verlängerungszahlung ist fehlgeschlagen und unser Konto wurde noch am selben Tag gesperrt.",
            ),
        },
        "neutral": {
            "en": (
                "Renewal went through, the price went up a little.",
                "Got the reminder a week before, which was just enough time.",
                "Renewed for another year, we'll see how it goes.",
                "Renewal was fine, although the invoice came late.",
            ),
            "zh": (
                "续费成功了，价格稍微涨了一点。",
                "提前一周收到了提醒，时间刚刚好。",
                "又续了一年，先看看再说。",
                "续费没问题，就是发票来得有点晚。",
            ),
            "ru": (
                "Продление прошло, цена немного выросла.",
                "Напоминание пришло за неделю, как раз хватило времени.",
                "Продлили ещё на год, посмотрим, как пойдёт.",
                "Продление нормальное, только счёт пришёл с опозданием.",
            ),
            "fi": (
                "Uusiminen meni läpi, hinta nousi vähän.",
                "Muistutus tuli viikkoa ennen, juuri ja juuri riittävästi aikaa.",
                "Uusittiin vuodeksi, katsotaan miten menee.",
                "Uusiminen meni ok, lasku vain tuli myöhässä.",
            ),
            "th": (
                "ต่ออายุเรียบร้อย ราคาขึ้นนิดหน่อย",
                "ได้อีเมลเตือนล่วงหน้าหนึ่งสัปดาห์ ก็พอดีเวลา",
                "ต่ออายุไปอีกปี เดี๋ยวดูกันต่อ",
                "ต่ออายุก็โอเค แต่ใบแจ้งหนี้มาช้า",
            ),
            "es": (
                "La renovación se hizo, el precio subió un poco.",
                "Recibí el aviso una semana antes, justo a tiempo.",
                "Renovamos un año más, ya veremos qué tal.",
                "La renovación bien, aunque la factura llegó tarde.",
            ),
            "de": (
                "Verlängerung hat geklappt, der Preis ist etwas gestiegen.",
                "Die Erinnerung kam eine Woche vorher, gerade noch genug Zeit.",
                "Für ein weiteres Jahr verlängert, mal sehen.",
                "Verlängerung war okay, nur die Rechnung kam spät.",
            ),
        },
        "positive": {
            "en": (
                "Renewal was completely smooth, got a reminder a month ahead.",
                "Kept the same price for the third year in a row. Appreciated!",
                "Easy renewal and a nice loyalty discount, thank you.",
                "Renewed in two clicks, no surprises.",
            ),
            "zh": (
                "续费非常顺利，提前一个月就收到提醒了。",
                "连续第三年保持原价，很感谢！",
                "续费简单，还有老客户折扣，谢谢。",
                "点两下就续费好了，没有任何意外。",
            ),
            "ru": (
                "Продление прошло идеально, напоминание пришло за месяц.",
                "Уже третий год подряд цена не меняется. Ценю!",
                "Простое продление и приятная скидка для постоянных клиентов, спасибо.",
                "Продлил в два клика, никаких сюрпризов.",
            ),
            "fi": (
                "Uusiminen sujui täysin kivuttomasti, muistutus tuli kuukautta ennen.",
                "Sama hinta jo kolmatta vuotta peräkkäin. Arvostan!",
                "Helppo uusiminen ja mukava kanta-asiakasalennus, kiitos.",
                "Uusin kahdella klikkauksella, ei yllätyksiä.",
            ),
            "th": (
                "ต่ออายุราบรื่นมาก มีแจ้งเตือนล่วงหน้าหนึ่งเดือน",
                "ราคาเดิมเป็นปีที่สามติดแล้ว ขอบคุณมาก!",
                "ต่ออายุง่าย แถมได้ส่วนลดลูกค้าเก่า ขอบคุณค่ะ",
                "ต่ออายุเสร็จในสองคลิก ไม่มีอะไรให้ตกใจ",
            ),
            "es": (
                "La renovación fue perfecta, me avisaron con un mes de antelación.",
                "Mismo precio por tercer año seguido. ¡Se agradece!",
                "Renovación sencilla y un buen descuento por fidelidad, gracias.",
                "Renové en dos clics, sin sorpresas.",
            ),
            "de": (
                "Die Verlängerung lief völlig reibungslos, Erinnerung kam einen Monat vorher.",
                "Zum dritten Mal in Folge derselbe Preis. Weiß ich zu schätzen!",
                "Einfache Verlängerung und ein netter Treuerabatt, danke.",
                "Mit zwei Klicks verlängert, keine Überraschungen.",
            ),
        },
    },
    # Help-center articles and documentation
    "help_articles": {
        "negative": {
            "en": (
                "The help article is outdated, the screenshots show an old version.",
                "Searched the help center for 20 minutes, found nothing useful.",
                "Docs say to click a button that doesn't exist anymore.",
                'Every search result is the same "Getting started" page.',
            ),
            "zh": (
                "帮助文章太旧了，截图还是老版本的。",
                "在帮助中心搜了20分钟，什么有用的都没找到。",
                "文档让我点一个早就不存在的按钮。",
                "不管搜什么，结果都是同一篇“快速入门”。",
            ),
            "ru": (
                "Статья в справке устарела, на скриншотах старая версия.",
                "20 минут искал в справочном центре, ничего полезного не нашёл.",
                "В документации сказано нажать кнопку, которой уже нет.",
                "По любому запросу выдаёт одну и ту же страницу «Начало работы».",
            ),
            "fi": (
                "Ohjeartikkeli on vanhentunut, kuvakaappauksissa näkyy vanha versio.",
                "Etsin ohjekeskuksesta 20 minuuttia enkä löytänyt mitään hyödyllistä.",
                "Ohjeissa käsketään painamaan nappia, jota ei enää ole.",
                'Jokainen hakutulos on sama "Aloitusopas"-sivu.',
            ),
            "th": (
                "บทความช่วยเหลือเก่าแล้ว ภาพหน้าจอยังเป็นเวอร์ชันเก่า",
                "ค้นในศูนย์ช่วยเหลืออยู่ 20 นาที ไม่เจออะไรที่ใช้ได้เลย",
                "คู่มือบอกให้กดปุ่มที่ไม่มีแล้ว",
                'ค้นอะไรก็เจอแต่หน้า "เริ่มต้นใช้งาน" หน้าเดิม',
            ),
            "es": (
                "El artículo de ayuda está desactualizado, las capturas son de una versión vieja.",
                "Busqué 20 minutos en el centro de ayuda y no encontré nada útil.",
                "La documentación dice que pulse un botón que ya no existe.",
                'Todas las búsquedas me llevan a la misma página de "Primeros pasos".',
            ),
            "de": (
                "Der Hilfeartikel ist veraltet, die Screenshots zeigen eine alte Version.",
                "20 Minuten im Hilfe-Center gesucht, nichts Brauchbares gefunden.",
                "Laut Doku soll ich auf einen Button klicken, den es nicht mehr gibt.",
                'Jede Suche landet auf derselben "Erste Schritte"-Seite.',
            ),
        },
        "neutral": {
            "en": (
                "Found the answer eventually, but the article was hard to follow.",
                "Help center is OK, some topics are missing.",
                "The FAQ covered my question, more or less.",
                "Articles are fine, a short video would help.",
            ),
            "zh": (
                "最后找到了答案，不过文章不太好懂。",
                "帮助中心还行，有些主题没有覆盖到。",
                "常见问题基本回答了我的疑问。",
                "文章还可以，要是有个短视频就更好了。",
            ),
            "ru": (
                "В итоге нашёл ответ, но статья написана сложновато.",
                "Справочный центр нормальный, но некоторых тем не хватает.",
                "В FAQ был ответ на мой вопрос, более-менее.",
                "Статьи нормальные, короткое видео бы не помешало.",
            ),
            "fi": (
                "Löysin vastauksen lopulta, mutta artikkelia oli vaikea seurata.",
                "Ohjekeskus on ok, jotkin aiheet puuttuvat.",
                "UKK vastasi kysymykseeni, suunnilleen.",
                "Artikkelit ovat ok, lyhyt video auttaisi.",
            ),
            "th": (
                "สุดท้ายก็หาคำตอบเจอ แต่บทความอ่านเข้าใจยาก",
                "ศูนย์ช่วยเหลือก็โอเค แต่บางหัวข้อยังไม่มี",
                "คำถามที่พบบ่อยก็พอตอบคำถามได้ประมาณหนึ่ง",
                "บทความก็ใช้ได้ ถ้ามีวิดีโอสั้น ๆ จะดีมาก",
            ),
            "es": (
                "Al final encontré la respuesta, pero el artículo era difícil de seguir.",
                "El centro de ayuda está bien, aunque faltan algunos temas.",
                "Las preguntas frecuentes resolvieron mi duda, más o menos.",
                "Los artículos están bien, un vídeo corto ayudaría.",
            ),
            "de": (
                "Am Ende die Antwort gefunden, aber der Artikel war schwer verständlich.",
                "Das Hilfe-Center ist okay, manche Themen fehlen.",
                "Die FAQ haben meine Frage mehr oder weniger beantwortet.",
                "Die Artikel sind in Ordnung, ein kurzes Video wäre hilfreich.",
            ),
        },
        "positive": {
            "en": (
                "Found the answer in the help center in two minutes.",
                "The step-by-step guides with screenshots are excellent.",
                "Great FAQ, solved my problem without contacting support.",
                "Clear, up-to-date docs. Wish every company did this.",
            ),
            "zh": (
                "在帮助中心两分钟就找到了答案。",
                "带截图的分步指南非常棒。",
                "常见问题写得很好，不用找客服就解决了。",
                "文档清晰又及时更新，希望每家公司都能这样。",
            ),
            "ru": (
                "Нашёл ответ в справочном центре за две минуты.",
                "Пошаговые инструкции со скриншотами просто отличные.",
                "Отличный FAQ, решил проблему без обращения в поддержку.",
                "Понятная и актуальная документация. Вот бы так было у всех.",
            ),
            "fi": (
                "Löysin vastauksen ohjekeskuksesta kahdessa minuutissa.",
                "Vaiheittaiset ohjeet kuvakaappauksineen ovat erinomaisia.",
                "Loistava UKK, ongelma ratkesi ilman yhteydenottoa tukeen.",
                "Selkeät ja ajantasaiset ohjeet. Kunpa kaikki yritykset tekisivät näin.",
            ),
            "th": (
                "หาคำตอบเจอในศูนย์ช่วยเหลือภายในสองนาที",
                "คู่มือทีละขั้นตอนพร้อมภาพหน้าจอดีมาก",
                "คำถามที่พบบ่อยดีมาก แก้ปัญหาได้เองโดยไม่ต้องติดต่อซัพพอร์ต",
                "คู่มือชัดเจนและอัปเดตตลอด อยากให้ทุกบริษัททำแบบนี้",
            ),
            "es": (
                "Encontré la respuesta en el centro de ayuda en dos minutos.",
                "Las guías paso a paso con capturas son excelentes.",
                "Unas preguntas frecuentes geniales, lo resolví sin contactar con soporte.",
                "Documentación clara y actualizada. Ojalá todas las empresas hicieran lo mismo.",
            ),
            "de": (
                "Die Antwort im Hilfe-Center in zwei Minuten gefunden.",
                "Die Schritt-für-Schritt-Anleitungen mit Screenshots sind hervorragend.",
                "Super FAQ, Problem gelöst, ohne den Support kontaktieren zu müssen.",
                "Klare, aktuelle Doku. Das sollten alle Firmen so machen.",
            ),
        },
    },
    # Experience with the sales representative
    "sales_call": {
        "negative": {
            "en": (
                "The sales rep was pushy and wouldn't take no for an answer.",
                "Called me four times in one week after I asked them to stop.",
                "Sales promised features that don't actually exist.",
                "The rep couldn't answer a single technical question.",
            ),
            "zh": (
                "销售太强势了，根本不接受拒绝。",
                "我都说了别再打了，一周还是打了四次电话。",
                "销售承诺的功能其实根本不存在。",
                "销售一个技术问题都回答不上来。",
            ),
            "ru": (
                "Менеджер по продажам был навязчивым и не принимал отказ.",
                "Звонили четыре раза за неделю, хотя я просил больше не звонить.",
                "Продажники обещали функции, которых на самом деле нет.",
                "Менеджер не смог ответить ни на один технический вопрос.",
            ),
            "fi": (
                "Myyjä oli tyrkky eikä suostunut ottamaan ei-vastausta.",
                "Soittivat neljä kertaa viikossa, vaikka pyysin lopettamaan.",
                "Myynti lupasi ominaisuuksia, joita ei oikeasti ole.",
                "Myyjä ei osannut vastata yhteenkään tekniseen kysymykseen.",
            ),
            "th": (
                "เซลส์ตื๊อมาก ไม่ยอมรับคำปฏิเสธเลย",
                "บอกให้หยุดโทรแล้ว แต่ยังโทรมาสี่ครั้งในสัปดาห์เดียว",
                "เซลส์สัญญาฟีเจอร์ที่จริง ๆ แล้วไม่มี",
                "เซลส์ตอบคำถามเชิงเทคนิคไม่ได้สักข้อ",
            ),
            "es": (
                "El comercial fue muy insistente y no aceptaba un no por respuesta.",
                "Me llamaron cuatro veces en una semana después de pedirles que pararan.",
                "Ventas prometió funciones que en realidad no existen.",
                "El comercial no supo responder ni una sola pregunta técnica.",
            ),
            "de": (
                "Der Vertriebler war aufdringlich und hat kein Nein akzeptiert.",
                "Viermal in einer Woche angerufen, obwohl ich gebeten hatte, das zu lassen.",
                "Der Vertrieb hat Funktionen versprochen, die es gar nicht gibt.",
                "Der Verkäufer konnte keine einzige technische Frage beantworten.",
            ),
        },
        "neutral": {
            "en": (
                "The sales call was informative, but a bit long.",
                "Rep was friendly, pricing info was vague though.",
                "Got the info I needed, still comparing options.",
                "Standard demo, covered the basics.",
            ),
            "zh": (
                "销售电话内容挺丰富，就是有点长。",
                "销售人很友好，不过价格说得含糊。",
                "拿到了需要的信息，还在比较其他选择。",
                "常规演示，基础功能都讲到了。",
            ),
            "ru": (
                "Звонок с менеджером был информативным, но затянутым.",
                "Менеджер приятный, но про цены говорил расплывчато.",
                "Получил нужную информацию, пока сравниваю варианты.",
                "Стандартная демонстрация, показали основное.",
            ),
            "fi": (
                "Myyntipuhelu oli informatiivinen, mutta vähän pitkä.",
                "Myyjä oli ystävällinen, mutta hinnoista sai vain epämääräistä tietoa.",
                "Sain tarvitsemani tiedot, vertailen vielä vaihtoehtoja.",
                "Tavallinen demo, perusasiat käytiin läpi.",
            ),
            "th": (
                "คุยกับเซลส์ได้ข้อมูลเยอะดี แต่นานไปหน่อย",
                "เซลส์เป็นกันเองดี แต่ข้อมูลเรื่องราคาไม่ค่อยชัด",
                "ได้ข้อมูลที่ต้องการแล้ว ยังเปรียบเทียบตัวเลือกอื่นอยู่",
                "เดโมทั่วไป ครอบคลุมพื้นฐาน",
            ),
            "es": (
                "La llamada comercial fue informativa, aunque algo larga.",
                "El comercial fue amable, pero la información de precios fue vaga.",
                "Obtuve la información que necesitaba, sigo comparando opciones.",
                "Demo estándar, cubrió lo básico.",
            ),
            "de": (
                "Das Vertriebsgespräch war informativ, aber etwas lang.",
                "Der Ansprechpartner war nett, zu den Preisen blieb er aber vage.",
                "Habe die nötigen Infos bekommen, vergleiche noch Angebote.",
                "Standard-Demo, die Grundlagen wurden abgedeckt.",
            ),
        },
        "positive": {
            "en": (
                "The sales rep really listened and didn't oversell. Refreshing.",
                "Great demo, tailored exactly to our use case.",
                "Honest answers about what the product can & can't do. Loved that.",
                "Super helpful call, got a clear quote the same afternoon.",
            ),
            "zh": (
                "销售很认真听我们的需求，没有过度推销，很难得。",
                "演示很棒，完全针对我们的使用场景。",
                "对产品能做什么、不能做什么都很坦诚，很喜欢。",
                "电话很有帮助，当天下午就收到了清晰的报价。",
            ),
            "ru": (
                "Менеджер действительно слушал и ничего не навязывал. Приятно удивлён.",
                "Отличная демонстрация, точно под наш сценарий.",
                "Честно рассказали, что продукт умеет, а что нет. Очень ценю.",
                "Очень полезный звонок, понятное коммерческое предложение пришло в тот же день.",
            ),
            "fi": (
                "Myyjä oikeasti kuunteli eikä ylimyynyt. Virkistävää.",
                "Loistava demo, räätälöity juuri meidän käyttötarpeeseemme.",
                "Rehelliset vastaukset siitä, mitä tuote osaa ja mitä ei. Tykkäsin.",
                "Tosi hyödyllinen puhelu, selkeä tarjous tuli jo samana iltapäivänä.",
            ),
            "th": (
                "เซลส์ตั้งใจฟังจริง ๆ ไม่ยัดเยียดขาย ประทับใจ",
                "เดโมดีมาก ตรงกับการใช้งานของเราเป๊ะ",
                "ตอบตรง ๆ ว่าสินค้าทำอะไรได้และไม่ได้ ชอบมาก",
                "คุยแล้วได้ประโยชน์มาก ได้ใบเสนอราคาชัดเจนภายในบ่ายวันเดียวกัน",
            ),
            "es": (
                "El comercial escuchó de verdad y no intentó venderme de más. Se agradece.",
                "Demo genial, adaptada exactamente a nuestro caso.",
                "Respuestas honestas sobre lo que el producto puede y no puede hacer. Me encantó.",
                "Llamada muy útil, tuve un presupuesto claro esa misma tarde.",
            ),
            "de": (
                "Der Vertriebler hat wirklich zugehört und nichts schöngeredet. Erfrischend.",
                "Tolle Demo, genau auf unseren Anwendungsfall zugeschnitten.",
                "Ehrliche Antworten, was das Produkt kann & was nicht. Fand ich super.",
                "Sehr hilfreiches Gespräch, am selben Nachmittag kam ein klares Angebot.",
            ),
        },
    },
}

#: Language -> "please add ..." comments, varied features; fit any touchpoint.
FEATURE_REQUESTS: dict[str, tuple[str, ...]] = {
    "en": (
        "Please add dark mode, the white screen hurts my eyes at night.",
        "It would be great if I could export reports to Excel.",
        "Would love a way to save more than one delivery address.",
        "Can you add Apple Pay at checkout?",
        "Please let me pause my subscription instead of cancelling it.",
        "An offline mode in the app would be super helpful.",
        "Wish I could pick a delivery time slot.",
        "Please support authenticator apps for 2FA, not just SMS codes.",
        "It'd be nice to download invoices as PDF & CSV.",
        "A text message when the courier is 30 minutes away would be perfect.",
    ),
    "zh": (
        "请加个深色模式，晚上屏幕太刺眼了。",
        "如果能把报表导出到Excel就太好了。",
        "希望可以保存多个收货地址。",
        "结账的时候能不能支持微信支付？",
        "希望能暂停订阅，而不是只能取消。",
        "App要是有离线模式就好了。",
        "希望可以预约具体的送货时间段。",
        "请支持用身份验证器App做两步验证，不要只用短信。",
        "发票能不能同时提供PDF和CSV格式？",
        "快递员快到的时候能发条短信提醒就完美了。",
    ),
    "ru": (
        "Добавьте, пожалуйста, тёмную тему, вечером белый экран режет глаза.",
        "Было бы здорово, если бы отчёты можно было выгружать в Excel.",
        "Хотелось бы сохранять несколько адресов доставки.",
        "Добавьте оплату через СБП при оформлении заказа.",
        "Сделайте возможность приостановить подписку, а не только отменить.",
        "Офлайн-режим в приложении очень бы пригодился.",
        "Хочу выбирать конкретный интервал времени для доставки.",
        "Добавьте двухфакторку через приложение-аутентификатор, а не только по СМС.",
        "Было бы удобно скачивать счета и в PDF, и в CSV.",
        "Было бы идеально получать СМС, когда курьер в 30 минутах от меня.",
    ),
    "fi": (
        "Lisätkää tumma tila, valkoinen näyttö häikäisee iltaisin.",
        "Olisi tosi kätevää, jos raportit voisi viedä Exceliin.",
        "Toivoisin, että voisin tallentaa useamman toimitusosoitteen.",
        "Voisitteko lisätä MobilePayn maksutavaksi kassalle?",
        "Tilauksen voisi laittaa tauolle eikä vain perua.",
        "Sovellukseen offline-tila olisi tosi hyödyllinen.",
        "Olisi kiva valita toimitukselle tarkka aikaikkuna.",
        "Kaksivaiheinen tunnistus todennussovelluksella, ei pelkkä tekstiviesti, kiitos.",
        "Laskut voisi saada ladattua sekä PDF- että CSV-muodossa.",
        "Tekstiviesti, kun lähetti on puolen tunnin päässä, olisi täydellinen.",
    ),
    "th": (
        "ขอโหมดมืดหน่อยค่ะ กลางคืนจอขาวแสบตามาก",
        "ถ้าส่งออกรายงานเป็น Excel ได้จะดีมาก",
        "อยากให้บันทึกที่อยู่จัดส่งได้หลายที่",
        "เพิ่มการจ่ายผ่านพร้อมเพย์ตอนชำระเงินได้ไหมคะ",
        "อยากให้พักการสมัครสมาชิกได้ ไม่ใช่ต้องยกเลิกอย่างเดียว",
        "ถ้าแอปมีโหมดออฟไลน์จะมีประโยชน์มาก",
        "อยากเลือกช่วงเวลาจัดส่งเองได้",
        "ขอให้ยืนยันตัวตนสองขั้นตอนผ่านแอปได้ ไม่ใช่แค่ SMS",
        "อยากดาวน์โหลดใบแจ้งหนี้ได้ทั้งแบบ PDF และ CSV",
        "ถ้ามี SMS แจ้งตอนพนักงานส่งของใกล้ถึงอีก 30 นาทีจะดีมาก",
    ),
    "es": (
        "Por favor, añadid modo oscuro, de noche la pantalla blanca molesta mucho.",
        "Estaría genial poder exportar los informes a Excel.",
        "Me gustaría poder guardar varias direcciones de envío.",
        "¿Podéis añadir Bizum como forma de pago?",
        "Dejad pausar la suscripción en lugar de tener que cancelarla.",
        "Un modo sin conexión en la app sería muy útil.",
        "Ojalá pudiera elegir una franja horaria para la entrega.",
        "Añadid verificación en dos pasos con app de autenticación, no solo por SMS.",
        "Sería práctico poder descargar las facturas en PDF y en CSV.",
        "Un SMS cuando el repartidor esté a 30 minutos sería perfecto.",
    ),
    "de": (
        "Bitte einen Dark Mode einbauen, abends blendet der weiße Bildschirm.",
        "Es wäre toll, wenn ich Berichte nach Excel exportieren könnte.",
        "Ich würde gern mehrere Lieferadressen speichern können.",
        "Könntet ihr Klarna als Zahlungsart anbieten?",
        "Bitte eine Möglichkeit, das Abo zu pausieren statt zu kündigen.",
        "Ein Offline-Modus in der App wäre super hilfreich.",
        "Schön wäre, wenn man ein Lieferzeitfenster wählen könnte.",
        "Bitte Zwei-Faktor-Anmeldung per Authenticator-App, nicht nur per SMS.",
        "Rechnungen als PDF & CSV zum Download wären praktisch.",
        "Eine SMS, wenn der Bote noch 30 Minuten entfernt ist, wäre perfekt.",
    ),
}


def phrases_for(topic: str, sentiment: str, language: str) -> tuple[str, ...]:
    """Return the comments for ``topic`` and ``sentiment`` in ``language``.

    Falls back to the English comments when ``language`` has none. Raises :class:`KeyError`
    naming the topic or sentiment when either is unknown.
    """
    try:
        by_sentiment = PHRASES[topic]
    except KeyError:
        raise KeyError(
            f"unknown topic {topic!r}; known topics: {', '.join(TOPICS)}"
        ) from None
    try:
        by_language = by_sentiment[sentiment]
    except KeyError:
        raise KeyError(
            f"unknown sentiment {sentiment!r} for topic {topic!r}; "
            f"known: {', '.join(by_sentiment)}"
        ) from None
    return by_language.get(language) or by_language["en"]
