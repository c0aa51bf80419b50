"""The words of a producer's statement, in the languages her messages use (data only). A language she reads that is
not here falls back to English."""

TEXTS = {
    "en": {
        "title": "Statement",
        "period": "Period",
        "opening": "Opening balance",
        "closing": "Closing balance",
        "date": "Date",
        "what": "What",
        "amount": "Amount",
        "balance": "Balance",
        "earned": "Earned",
        "advanced": "Advanced",
        "written_off": "Written off",
        "paid": "Paid",
        "everything": "everything",
        "earning": "Earned for lot {lot} ({units} x {rate})",
        "advance": "Advance: {reason}",
        "recovery": "Advance paid back from lot {lot}",
        "payout_sent": "Payment sent",
        "payout_confirmed": "Payment received ({reason})",
        "payout_reversed": "Payment failed, money back",
        "write_off": "Advance written off: {reason}",
        "correction": "Correction: {reason}",
    },
    "fr": {
        "title": "Relevé",
        "period": "Période",
        "opening": "Solde d'ouverture",
        "closing": "Solde de clôture",
        "date": "Date",
        "what": "Opération",
        "amount": "Montant",
        "balance": "Solde",
        "earned": "Gagné",
        "advanced": "Avancé",
        "written_off": "Abandonné",
        "paid": "Payé",
        "everything": "tout",
        "earning": "Gain du lot {lot} ({units} x {rate})",
        "advance": "Avance : {reason}",
        "recovery": "Avance remboursée par le lot {lot}",
        "payout_sent": "Paiement envoyé",
        "payout_confirmed": "Paiement reçu ({reason})",
        "payout_reversed": "Paiement échoué, somme rendue",
        "write_off": "Avance abandonnée : {reason}",
        "correction": "Correction : {reason}",
    },
    "tpi": {
        "title": "Stetmen bilong mani",
        "period": "Taim",
        "opening": "Mani long stat",
        "closing": "Mani long pinis",
        "date": "De",
        "what": "Wanem samting",
        "amount": "Hamas",
        "balance": "Mani i stap",
        "earned": "Mani yu kisim",
        "advanced": "Dinau",
        "written_off": "Dinau i lus",
        "paid": "Pei",
        "everything": "olgeta",
        "earning": "Mani bilong lot {lot} ({units} x {rate})",
        "advance": "Dinau: {reason}",
        "recovery": "Dinau i kam bek long lot {lot}",
        "payout_sent": "Pei i go",
        "payout_confirmed": "Pei i kamap ({reason})",
        "payout_reversed": "Pei i no kamap, mani i kam bek",
        "write_off": "Dinau i lus: {reason}",
        "correction": "Stretim: {reason}",
    },
}


def texts_for(languages: list[str] | None) -> tuple[str, dict]:
    """Her first language the statement is written in, and its words."""
    for language in languages or ():
        if language in TEXTS:
            return language, TEXTS[language]
    return "en", TEXTS["en"]
