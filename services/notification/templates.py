"""What Bilum says to whom, in English, French and Tok Pisin. Plain Python.

Each kind of message has three forms: a subject, a full text (email body, webhook payload) and an SMS text. The SMS
is written to fit one GSM-7 message with ordinary values (a product name of about 30 letters) and is passed through
``to_gsm7``, so a name with accents GSM-7 lacks does not turn it into a three-part UCS-2 message. Producers answer
with the English keywords YES, NO, DONE and HELP in every language: the parser is one grammar, and the messages say
so by example.

Tok Pisin (``tpi``) is the language most producers in Papua New Guinea read; it is written here plainly, with the
words a village group would use (wok, bekim, redi, tenkyu).

Dates and times are written the way each language writes them. A datetime is shown in the ``zone`` given to
``render`` (the recipient's own zone, in which case the SMS leaves the zone out) or, without one, in UTC and says so.
"""

import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.notification import sms

LANGUAGES = ("en", "fr", "tpi")
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    sms_text: str
    language: str


@dataclass(frozen=True)
class _Template:
    subject: str
    text: str
    sms: str


def _reply(subject: str, text: str) -> _Template:
    """An answer to an SMS reply: the same words in every form."""
    return _Template(subject, text, text)


_EN = {
    "balance": _Template(
        "Your money with Bilum: {balance}",
        "Dear {name},\n\nYour balance is {balance}. You have earned {earned} so far. Your last payment was "
        "{last_paid} on {paid_on}.\n\nThe Bilum team",
        "Bilum: your balance is {balance}. Earned so far {earned}. Last payment {last_paid} on {paid_on:short}.",
    ),
    "balance_unpaid": _Template(
        "Your money with Bilum: {balance}",
        "Dear {name},\n\nYour balance is {balance}. You have earned {earned} so far. No payment has been made to "
        "you yet.\n\nThe Bilum team",
        "Bilum: your balance is {balance}. Earned so far {earned}. No payment yet.",
    ),
    "balance_empty": _reply(
        "Your money with Bilum",
        "Bilum: no money yet. When your work passes the quality check, what you earn shows here. Reply BAL to ask "
        "again.",
    ),
    "advance_recorded": _Template(
        "Advance for work {ref}: {amount}",
        "Dear {name},\n\nWe recorded an advance of {amount} for work {ref}: {description}. It will be taken from "
        "what this work earns. Your balance is now {balance}.\n\nThe Bilum team",
        "Bilum: advance of {amount} for work {ref} recorded. It is taken from what this work earns. Balance {balance}.",
    ),
    "payout_confirmed": _Template(
        "Paid {amount}",
        "Dear {name},\n\nWe paid you {amount} ({reference}) for work {works}. Thank you for your "
        "work.\n\nThe Bilum team",
        "Bilum: paid {amount} for work {works}. Thank you!",
    ),
    "quota_offered": _Template(
        "New work for you: {quantity} x {product}",
        "Dear {name},\n\nWe have new work for you: {quantity} x {product} (code {ref}).\n\n"
        "To accept it all, reply YES {ref}. To take only part, add the number, for example YES {ref} 20. "
        "To decline, reply NO {ref}.\nPlease answer by {respond_by}.\n\nThe Bilum team",
        "Bilum: new work {quantity} x {product}. Reply YES {ref} to accept or NO {ref} to decline, "
        "by {respond_by:short}.",
    ),
    "quota_reminder": _Template(
        "Reminder: work {ref} is waiting for your answer",
        "Dear {name},\n\nWe are still waiting for your answer about work {ref}: {quantity} x {product}.\n"
        "Reply YES {ref} to accept or NO {ref} to decline by {respond_by}. Without an answer the work goes to "
        "other producers.\n\nThe Bilum team",
        "Bilum: reminder, work {ref} ({quantity} x {product}). Reply YES {ref} or NO {ref} by {respond_by:short}.",
    ),
    "quota_reallocated": _Template(
        "Work {ref} has gone to other producers",
        "Dear {name},\n\n{quantity} x {product} of work {ref} are no longer yours to make: we have passed them to "
        "other producers. Your group can tell you why.\n\nThe Bilum team",
        "Bilum: {quantity} x {product} of work {ref} have gone to other producers. Your group can tell you why.",
    ),
    "quota_top_up_offered": _Template(
        "More work for you: another {more} x {product}",
        "Dear {name},\n\nYou are making work {ref} for us. Can you make another {more} x {product} for it? That "
        "makes {total} in all.\n\nTo take them all, reply YES {ref}. To take only some, add the number, for example "
        "YES {ref} 5. If you cannot, reply NO {ref}: the work you have already stays yours.\n"
        "Please answer by {respond_by}.\n\nThe Bilum team",
        "Bilum: can you make another {more} x {product} for work {ref}, {total} in all? Reply YES {ref} or NO {ref} "
        "by {respond_by:short}.",
    ),
    "quota_top_up_accepted_ack": _Template(
        "Thank you: {total} x {product} for work {ref}",
        "Dear {name},\n\nThank you: you will make another {more} x {product} for work {ref}, {total} in all.\n"
        "As before, each time some are finished, reply DONE {ref} and the number.\n\nThe Bilum team",
        "Bilum: thank you! You will make another {more} x {product} for work {ref}, {total} in all.",
    ),
    "quota_top_up_declined_ack": _Template(
        "Noted: no more for work {ref}",
        "Dear {name},\n\nWe noted that you cannot make more for work {ref}. We will ask other producers. The work "
        "you have stays yours: {quantity} x {product}.\n\nThe Bilum team",
        "Bilum: noted, no more for work {ref}. We will ask others. The work you have stays yours: {quantity} x "
        "{product}.",
    ),
    "quota_top_up_lapsed": _Template(
        "The extra {more} x {product} have gone to other producers",
        "Dear {name},\n\nWe had no answer in time, so the extra {more} x {product} we asked of you for work {ref} "
        "have gone to other producers. The work you have stays yours: {quantity} x {product}.\n\nThe Bilum team",
        "Bilum: no answer in time, so the extra {more} x {product} have gone to others. Work {ref} stays yours: "
        "{quantity}.",
    ),
    "quota_accepted_ack": _Template(
        "Thank you: work {ref} is yours",
        "Dear {name},\n\nThank you for accepting work {ref}: {quantity} x {product}.\n"
        "Each time some are finished, reply DONE {ref} and the number, for example DONE {ref} 20.\n\nThe Bilum team",
        "Bilum: thank you! Work {ref} is yours: {quantity} x {product}. When some are finished, reply DONE {ref} "
        "and the number, e.g. DONE {ref} 20.",
    ),
    "lot_received_ack": _Template(
        "We noted {quantity} x {product} finished",
        "Dear {name},\n\nThank you: we noted {quantity} x {product} finished for work {ref}. We will tell you the "
        "result of the quality check.\n\nThe Bilum team",
        "Bilum: thank you! We noted {quantity} x {product} finished for work {ref}. We will tell you the result "
        "of the quality check.",
    ),
    "inspection_passed": _Template(
        "Quality check passed: {quantity} x {product}",
        "Dear {name},\n\nGood news: your {quantity} x {product} for work {ref} passed the quality check. "
        "Thank you for your work.\n\nThe Bilum team",
        "Bilum: good news! Your {quantity} x {product} (work {ref}) passed the quality check. Thank you!",
    ),
    "quota_declined_ack": _Template(
        "Noted: you decline work {ref}",
        "Dear {name},\n\nWe noted that you decline work {ref}: {quantity} x {product}. We will offer it to other "
        "producers. Thank you for telling us.\n\nThe Bilum team",
        "Bilum: noted, you decline work {ref} ({quantity} x {product}). We will offer it to others. Thank you for "
        "telling us.",
    ),
    "inspection_failed": _Template(
        "Quality check not passed: {quantity} x {product}",
        "Dear {name},\n\nYour {quantity} x {product} for work {ref} did not pass the quality check. Your group "
        "will call you to see what can be mended or made again.\n\nThe Bilum team",
        "Bilum: your {quantity} x {product} (work {ref}) did not pass the quality check. Your group will call you.",
    ),
    "lot_rework_requested": _Template(
        "Please mend {quantity} x {product}",
        "Dear {name},\n\nYour {quantity} x {product} for work {ref} did not pass the quality check, and they can be "
        "mended. Your group will show you what to fix; then they will be checked again.\n\nThe Bilum team",
        "Bilum: please mend your {quantity} x {product} (work {ref}). Your group will show you what to fix, then "
        "they are checked again.",
    ),
    "lot_shipment_planned": _Template(
        "{quantity} x {product} will travel to {city}",
        "Dear {name},\n\nYour {quantity} x {product} for work {ref} are planned into a shipment to {city}. Your "
        "group will tell you when and where they are collected; please keep them packed and ready.\n\n"
        "The Bilum team",
        "Bilum: your {quantity} x {product} (work {ref}) will ship to {city}. Keep them packed; your group will "
        "say when they are collected.",
    ),
    "pickup_scheduled": _Template(
        "Pickup of {quantity} x {product} on {pickup_at}",
        "Dear {name},\n\nA vehicle will collect your {quantity} x {product} (work {ref}) at {place} on "
        "{pickup_at}. Please have them packed and ready.\n\nThe Bilum team",
        "Bilum: a vehicle will collect {quantity} x {product} (work {ref}) at {place} on {pickup_at:short}. "
        "Please have them ready.",
    ),
    "order_confirmed": _Template(
        "Order {order_id} confirmed",
        "Dear {name},\n\nThank you for your order {order_id} of {units} units. We have shared it among our "
        "producers and promise delivery by {promised_by}.\n\nThe Bilum team",
        "Bilum: order {order_id} confirmed, {units} units, delivery promised by {promised_by:short}.",
    ),
    "order_received": _Template(
        "Order {order_id} received",
        "Dear {name},\n\nThank you for your order {order_id} of {units} units. We are sharing it among our "
        "producers and will tell you the delivery date as soon as we can promise one.\n\nThe Bilum team",
        "Bilum: order {order_id} received, {units} units. We will tell you the delivery date soon.",
    ),
    "order_shortfall": _Template(
        "Order {order_id}: {short} of {ordered} {product} cannot be made in time",
        "Dear {name},\n\nFor order {order_id} our producers can make only part of the {ordered} x {product}: "
        "{short} are missing. We will contact you to agree on what to do: a later date for the rest, or a smaller "
        "order.\n\nThe Bilum team",
        "Bilum: order {order_id}, {product}: {short} of {ordered} cannot be made in time. We will contact you.",
    ),
    "order_shipped": _Template(
        "Order {order_id} is on its way",
        "Dear {name},\n\nYour order {order_id} ({units} units) is on its way. We expect it to arrive by "
        "{expected_on}.\n\nThe Bilum team",
        "Bilum: order {order_id} ({units} units) is on its way, expected by {expected_on:short}.",
    ),
    "order_delivered": _Template(
        "Order {order_id} delivered",
        "Dear {name},\n\nYour order {order_id} ({units} units) has been delivered. Thank you for buying from our "
        "producers.\n\nThe Bilum team",
        "Bilum: order {order_id} ({units} units) has been delivered. Thank you!",
    ),
    "document_proforma": _Template(
        "Pro-forma {number} for order {order_id}",
        "Dear {name},\n\nPro-forma {number} for order {order_id}: total {amount}; deposit {deposit} due by "
        "{due_on}.\nYou can see and download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: pro-forma {number}, order {order_id}: total {amount}, deposit {deposit} due by {due_on:short}. "
        "See /buyer",
    ),
    "document_proforma_total": _Template(
        "Pro-forma {number} for order {order_id}",
        "Dear {name},\n\nPro-forma {number} for order {order_id}: total {amount}.\nYou can see and download it on "
        "your buyer page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: pro-forma {number}, order {order_id}: total {amount}. See it on your buyer page, /buyer",
    ),
    "document_invoice": _Template(
        "Commercial invoice {number} for order {order_id}",
        "Dear {name},\n\nCommercial invoice {number} for order {order_id}: total {amount}, due by {due_on}.\nYou "
        "can see and download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: invoice {number}, order {order_id}: total {amount}, due by {due_on:short}. See /buyer",
    ),
    "document_invoice_total": _Template(
        "Commercial invoice {number} for order {order_id}",
        "Dear {name},\n\nCommercial invoice {number} for order {order_id}: total {amount}.\nYou can see and "
        "download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: invoice {number}, order {order_id}: total {amount}. See it on your buyer page, /buyer",
    ),
    "document_credit_note": _Template(
        "Credit note {number} correcting {corrects}",
        "Dear {name},\n\nCredit note {number} correcting {corrects} (order {order_id}): {amount}.\nYou can see and "
        "download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: credit note {number} correcting {corrects}, order {order_id}: {amount}. See /buyer",
    ),
    "document_credit_note_order": _Template(
        "Credit note {number} for order {order_id}",
        "Dear {name},\n\nCredit note {number} for order {order_id}: {amount}.\nYou can see and download it on your "
        "buyer page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: credit note {number}, order {order_id}: {amount}. See it on your buyer page, /buyer",
    ),
    "document_packing_list": _Template(
        "Packing list {number} for your shipment",
        "Dear {name},\n\nPacking list {number} for your shipment of order {order_id}.\nYou can see and download "
        "it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: packing list {number} for your shipment of order {order_id}. See it on your buyer page, /buyer",
    ),
    "payment_overdue": _Template(
        "Reminder: {outstanding} overdue on order {order_id}",
        "Dear {name},\n\n{outstanding} for order {order_id} was due on {due_on} and is now {days} days overdue "
        "(documents: {documents}). Please pay it as soon as you can; if you have paid already, thank you, and "
        "please disregard this reminder.\nYour documents are on your buyer page in Bilum: /buyer\n\n"
        "The Bilum team",
        "Bilum reminder: {outstanding} for order {order_id} was due {due_on:short}, {days} days ago. Please pay "
        "it soon.",
    ),
    "claim_accepted": _Template(
        "Your claim on order {order_id} is accepted",
        "Dear {name},\n\nWe have accepted your claim on order {order_id} for all {claimed_units} units.\n"
        "Reason: {reason}\n\nThe Bilum team",
        "Bilum: your claim on order {order_id} is accepted, all {claimed_units} units. Details in your email.",
    ),
    "claim_accepted_credited": _Template(
        "Your claim on order {order_id} is accepted",
        "Dear {name},\n\nWe have accepted your claim on order {order_id} for all {claimed_units} units.\n"
        "Reason: {reason}\nWe have issued credit note {credit_note}: you can see and download it on your buyer "
        "page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: your claim on order {order_id} is accepted, all {claimed_units} units. Credit note {credit_note}, "
        "see /buyer",
    ),
    "claim_partly_accepted": _Template(
        "Your claim on order {order_id} is partly accepted",
        "Dear {name},\n\nWe have accepted your claim on order {order_id} for {accepted_units} of the "
        "{claimed_units} units claimed.\nReason: {reason}\n\nThe Bilum team",
        "Bilum: your claim on order {order_id} is partly accepted: {accepted_units} of {claimed_units} units. "
        "Details in your email.",
    ),
    "claim_partly_accepted_credited": _Template(
        "Your claim on order {order_id} is partly accepted",
        "Dear {name},\n\nWe have accepted your claim on order {order_id} for {accepted_units} of the "
        "{claimed_units} units claimed.\nReason: {reason}\nWe have issued credit note {credit_note}: you can see "
        "and download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        "Bilum: claim on order {order_id} partly accepted, {accepted_units} of {claimed_units} units. Credit note "
        "{credit_note}, see /buyer",
    ),
    "claim_rejected": _Template(
        "Your claim on order {order_id} is not accepted",
        "Dear {name},\n\nWe have looked into your claim on order {order_id} ({claimed_units} units) and cannot "
        "accept it.\nReason: {reason}\nIf you disagree, please contact us.\n\nThe Bilum team",
        "Bilum: your claim on order {order_id} ({claimed_units} units) is not accepted. The reason is in your email.",
    ),
    "aggregator_shortfall": _Template(
        "Order {order_id}: {short} of {ordered} {product} have no producer",
        "Dear {name},\n\nOrder {order_id} asks for {ordered} x {product}, and {short} of them could not be given "
        "to any producer: there is not enough capacity before the due date. Add producers or capacity, or agree a "
        "change with the buyer.\n\nThe Bilum team",
        "Bilum: order {order_id}, {product}: {short} of {ordered} have no producer. Add capacity or talk to the buyer.",
    ),
    "aggregator_lot_rejected": _Template(
        "Lot rejected: {quantity} x {product} from {producer}",
        "Dear {name},\n\nThe lot of {quantity} x {product} from {producer} (work {ref}) failed inspection: "
        "{defects} defective in a sample of {sample_size}. Please call the producer to arrange rework, or let the "
        "quantity be given to others.\n\nThe Bilum team",
        "Bilum: lot rejected, {quantity} x {product} from {producer} (work {ref}): {defects} defective of "
        "{sample_size} sampled.",
    ),
    "aggregator_dead_letters": _Template(
        "{count} messages of the {service} service need attention",
        "Dear {name},\n\n{count} messages of the {service} service could not be processed and wait in its "
        "dead-letter queue. Nothing is lost: list them with `bilum dlq list` and replay them with "
        "`bilum dlq replay` once the cause is fixed.\n\nThe Bilum team",
        "Bilum: {count} messages of the {service} service are in the dead-letter queue. See bilum dlq list.",
    ),
    "aggregator_shipment_late": _Template(
        "Shipment {shipment_id} is late",
        "Dear {name},\n\nShipment {shipment_id} was due on {due_on} and has not been delivered yet. The buyers of "
        "the orders it carries may need to be told.\n\nThe Bilum team",
        "Bilum: shipment {shipment_id} is late: it was due {due_on:short} and is not delivered yet.",
    ),
    "aggregator_unreachable": _Template(
        "{producer} cannot be reached",
        "Dear {name},\n\nWe could not reach {producer} ({contact}) about work {ref} on any channel. Please contact "
        "them another way, or check their phone number and email.\n\nThe Bilum team",
        "Bilum: we cannot reach {producer} ({contact}) about work {ref}. Please contact them another way.",
    ),
    "aggregator_quote_requested": _Template(
        "Quote request from {company}: {title}",
        "Dear {name},\n\n{requester} ({company}) asks for a quote from your catalogue {title}:\n{items}\n\n"
        "Answer them at {reply_to}.\n\nTheir message:\n{message}\n\nThe Bilum team",
        "Bilum: quote request from {requester} ({company}) on {title}. Answer at {reply_to}.",
    ),
    "daily_digest": _Template(
        "Bilum: your summary for {day}",
        "Dear {name},\n\nWhat happened on {day}:\n{items}\n\nThe Bilum team",
        "Bilum: {items:count} updates for {day:short}. The details are in your email.",
    ),
    "sms_reply_unknown": _reply(
        "Unknown phone number",
        "Bilum: we do not know this phone number. Please ask your group to register it with Bilum.",
    ),
    "sms_help": _reply("How to answer Bilum", sms.HELP_TEXT),
    "sms_reply_quantity_refused": _reply(
        "We could not take your number",
        "Bilum: {asked} does not fit work {ref} ({quantity} x {product}). Please send a number that fits, or "
        "reply HELP.",
    ),
    "sms_reply_top_up_refused": _reply(
        "We could not take your number",
        "Bilum: {asked} does not fit the extra {more} x {product} for work {ref}. Please send a number that fits, "
        "or reply HELP.",
    ),
    "sms_reply_closed": _reply(
        "Work {ref} cannot take this answer",
        "Bilum: work {ref} cannot take this answer now. It may be answered already, closed, or not accepted yet. "
        "Your group can help.",
    ),
    **{
        f"sms_error_{reason}": _reply("We did not understand your answer", text)
        for reason, text in sms.REPLY_ERRORS.items()
    },
}

_FR = {
    "balance": _Template(
        "Votre argent chez Bilum : {balance}",
        "Bonjour {name},\n\nVotre solde est de {balance}. Vous avez gagné {earned} jusqu'ici. Votre dernier "
        "paiement : {last_paid} le {paid_on}.\n\nL'équipe Bilum",
        "Bilum: votre solde est de {balance}. Gagné {earned}. Dernier paiement {last_paid} le {paid_on:short}.",
    ),
    "balance_unpaid": _Template(
        "Votre argent chez Bilum : {balance}",
        "Bonjour {name},\n\nVotre solde est de {balance}. Vous avez gagné {earned} jusqu'ici. Aucun paiement "
        "ne vous a encore été fait.\n\nL'équipe Bilum",
        "Bilum: votre solde est de {balance}. Gagné {earned}. Pas encore de paiement.",
    ),
    "balance_empty": _reply(
        "Votre argent chez Bilum",
        "Bilum: pas encore d'argent. Quand votre travail passe le contrôle qualité, vos gains s'affichent ici. "
        "Répondez BAL pour redemander.",
    ),
    "advance_recorded": _Template(
        "Avance pour le travail {ref} : {amount}",
        "Bonjour {name},\n\nNous avons noté une avance de {amount} pour le travail {ref} : {description}. Elle "
        "sera reprise sur ce que ce travail rapporte. Votre solde est maintenant de {balance}.\n\nL'équipe Bilum",
        "Bilum: avance de {amount} notée pour le travail {ref}, reprise sur ce qu'il rapporte. Solde {balance}.",
    ),
    "payout_confirmed": _Template(
        "Payé {amount}",
        "Bonjour {name},\n\nNous vous avons payé {amount} ({reference}) pour le travail {works}. "
        "Merci pour votre travail.\n\nL'équipe Bilum",
        "Bilum: payé {amount} pour le travail {works}. Merci !",
    ),
    "quota_offered": _Template(
        "Nouvelle commande pour vous : {quantity} x {product}",
        "Bonjour {name},\n\nNous avons une nouvelle commande pour vous : {quantity} x {product} (code {ref}).\n\n"
        "Pour tout accepter, répondez YES {ref}. Pour n'en faire qu'une partie, ajoutez le nombre, par exemple "
        "YES {ref} 20. Pour refuser, répondez NO {ref}.\nMerci de répondre avant le {respond_by}.\n\n"
        "L'équipe Bilum",
        "Bilum: nouvelle commande {quantity} x {product}. Répondez YES {ref} pour accepter ou NO {ref} pour "
        "refuser, avant le {respond_by:short}.",
    ),
    "quota_reminder": _Template(
        "Rappel : la commande {ref} attend votre réponse",
        "Bonjour {name},\n\nNous attendons votre réponse pour la commande {ref} : {quantity} x {product}.\n"
        "Répondez YES {ref} pour accepter ou NO {ref} pour refuser avant le {respond_by}. Sans réponse, la "
        "commande sera confiée à d'autres producteurs.\n\nL'équipe Bilum",
        "Bilum: rappel, commande {ref} ({quantity} x {product}). Répondez YES {ref} ou NO {ref} avant le "
        "{respond_by:short}.",
    ),
    "quota_reallocated": _Template(
        "Commande {ref} confiée à d'autres producteurs",
        "Bonjour {name},\n\n{quantity} x {product} de la commande {ref} ne sont plus à votre charge : nous les "
        "avons confiés à d'autres producteurs. Votre groupement peut vous en dire la raison.\n\nL'équipe Bilum",
        "Bilum: {quantity} x {product} de la commande {ref} sont confiés à d'autres producteurs. Votre "
        "groupement vous dira pourquoi.",
    ),
    "quota_top_up_offered": _Template(
        "Commande {ref} : pouvez-vous faire {more} x {product} de plus ?",
        "Bonjour {name},\n\nVous réalisez la commande {ref} pour nous. Pouvez-vous faire {more} x {product} de "
        "plus ? Cela ferait {total} en tout.\n\nPour tout accepter, répondez YES {ref}. Pour n'en prendre qu'une "
        "partie, ajoutez le nombre, par exemple YES {ref} 5. Si vous ne pouvez pas, répondez NO {ref} : ce que vous "
        "avez déjà reste à vous.\nMerci de répondre avant le {respond_by}.\n\nL'équipe Bilum",
        "Bilum: pouvez-vous faire {more} x {product} de plus, {total} en tout ? Répondez YES {ref} ou NO {ref} "
        "avant le {respond_by:short}.",
    ),
    "quota_top_up_accepted_ack": _Template(
        "Merci : {total} x {product} pour la commande {ref}",
        "Bonjour {name},\n\nMerci : vous ferez {more} x {product} de plus pour la commande {ref}, {total} en "
        "tout.\nComme avant, chaque fois que des pièces sont finies, répondez DONE {ref} et le nombre.\n\n"
        "L'équipe Bilum",
        "Bilum: merci ! Vous ferez {more} x {product} de plus pour la commande {ref}, {total} en tout.",
    ),
    "quota_top_up_declined_ack": _Template(
        "C'est noté : rien de plus pour la commande {ref}",
        "Bonjour {name},\n\nNous avons noté que vous ne pouvez pas en faire plus pour la commande {ref}. Nous "
        "demanderons à d'autres producteurs. Ce que vous avez reste à vous : {quantity} x {product}.\n\n"
        "L'équipe Bilum",
        "Bilum: c'est noté, rien de plus pour la commande {ref}. Nous demanderons à d'autres. Vous gardez "
        "{quantity} x {product}.",
    ),
    "quota_top_up_lapsed": _Template(
        "Les {more} x {product} en plus sont confiés à d'autres producteurs",
        "Bonjour {name},\n\nFaute de réponse à temps, les {more} x {product} en plus demandés pour la commande "
        "{ref} ont été confiés à d'autres producteurs. Ce que vous avez reste à vous : {quantity} x {product}.\n\n"
        "L'équipe Bilum",
        "Bilum: faute de réponse à temps, les {more} x {product} en plus sont confiés à d'autres. Vous gardez "
        "{quantity} pour la commande {ref}.",
    ),
    "quota_accepted_ack": _Template(
        "Merci : la commande {ref} est à vous",
        "Bonjour {name},\n\nMerci d'avoir accepté la commande {ref} : {quantity} x {product}.\n"
        "Chaque fois que des pièces sont finies, répondez DONE {ref} et le nombre, par exemple DONE {ref} 20.\n\n"
        "L'équipe Bilum",
        "Bilum: merci ! Commande {ref} acceptée, {quantity} x {product}. Pour des pièces finies, répondez "
        "DONE {ref} et le nombre, ex. DONE {ref} 20.",
    ),
    "lot_received_ack": _Template(
        "{quantity} x {product} finis : c'est noté",
        "Bonjour {name},\n\nMerci : nous avons noté {quantity} x {product} finis pour la commande {ref}. Nous vous "
        "dirons le résultat du contrôle qualité.\n\nL'équipe Bilum",
        "Bilum: merci ! Nous avons noté {quantity} x {product} finis pour la commande {ref}. Nous vous dirons le "
        "résultat du contrôle.",
    ),
    "inspection_passed": _Template(
        "Contrôle qualité réussi : {quantity} x {product}",
        "Bonjour {name},\n\nBonne nouvelle : vos {quantity} x {product} de la commande {ref} ont passé le "
        "contrôle qualité. Merci pour votre travail.\n\nL'équipe Bilum",
        "Bilum: bonne nouvelle ! Vos {quantity} x {product} (commande {ref}) ont passé le contrôle qualité. Merci !",
    ),
    "quota_declined_ack": _Template(
        "C'est noté : vous refusez la commande {ref}",
        "Bonjour {name},\n\nNous avons noté que vous refusez la commande {ref} : {quantity} x {product}. Nous la "
        "proposerons à d'autres producteurs. Merci de nous avoir prévenus.\n\nL'équipe Bilum",
        "Bilum: c'est noté, vous refusez la commande {ref} ({quantity} x {product}). Nous la proposerons à "
        "d'autres. Merci !",
    ),
    "inspection_failed": _Template(
        "Contrôle qualité non réussi : {quantity} x {product}",
        "Bonjour {name},\n\nVos {quantity} x {product} de la commande {ref} n'ont pas passé le contrôle qualité. "
        "Votre groupement va vous appeler pour voir ce qui peut être repris ou refait.\n\nL'équipe Bilum",
        "Bilum: vos {quantity} x {product} (commande {ref}) n'ont pas passé le contrôle qualité. Votre "
        "groupement va vous appeler.",
    ),
    "lot_rework_requested": _Template(
        "Merci de reprendre {quantity} x {product}",
        "Bonjour {name},\n\nVos {quantity} x {product} de la commande {ref} n'ont pas passé le contrôle qualité, "
        "mais ils peuvent être repris. Votre groupement vous montrera quoi corriger ; ils seront ensuite contrôlés "
        "à nouveau.\n\nL'équipe Bilum",
        "Bilum: merci de reprendre vos {quantity} x {product} (commande {ref}). Votre groupement vous montrera quoi "
        "corriger, puis nouveau contrôle.",
    ),
    "lot_shipment_planned": _Template(
        "{quantity} x {product} partiront pour {city}",
        "Bonjour {name},\n\nVos {quantity} x {product} de la commande {ref} sont prévus dans un envoi pour {city}. "
        "Votre groupement vous dira quand et où ils seront enlevés ; gardez-les emballés et prêts.\n\n"
        "L'équipe Bilum",
        "Bilum: vos {quantity} x {product} (commande {ref}) partiront pour {city}. Gardez-les emballés, votre "
        "groupement dira quand.",
    ),
    "pickup_scheduled": _Template(
        "Enlèvement de {quantity} x {product} le {pickup_at}",
        "Bonjour {name},\n\nUn véhicule viendra chercher vos {quantity} x {product} (commande {ref}) à {place} le "
        "{pickup_at}. Merci de les avoir emballés et prêts.\n\nL'équipe Bilum",
        "Bilum: un véhicule prendra {quantity} x {product} (commande {ref}) à {place} le "
        "{pickup_at:short}. Préparez-les.",
    ),
    "order_confirmed": _Template(
        "Commande {order_id} confirmée",
        "Bonjour {name},\n\nMerci pour votre commande {order_id} de {units} pièces. Nous l'avons répartie entre "
        "nos producteurs et nous nous engageons à la livrer le {promised_by} au plus tard.\n\nL'équipe Bilum",
        "Bilum: commande {order_id} confirmée, {units} pièces, livraison promise le {promised_by:short}.",
    ),
    "order_received": _Template(
        "Commande {order_id} reçue",
        "Bonjour {name},\n\nMerci pour votre commande {order_id} de {units} pièces. Nous la répartissons entre nos "
        "producteurs et vous indiquerons la date de livraison dès que nous pourrons nous y engager.\n\n"
        "L'équipe Bilum",
        "Bilum: commande {order_id} reçue, {units} pièces. Nous vous dirons bientôt la date de livraison.",
    ),
    "order_shortfall": _Template(
        "Commande {order_id} : {short} {product} sur {ordered} ne pourront pas être faits à temps",
        "Bonjour {name},\n\nPour la commande {order_id}, nos producteurs ne peuvent faire qu'une partie des "
        "{ordered} x {product} : il en manque {short}. Nous vous contacterons pour convenir de la suite : une date "
        "plus tardive pour le reste, ou une commande réduite.\n\nL'équipe Bilum",
        "Bilum: commande {order_id}, {product}: il en manque {short} sur {ordered}. Nous vous contacterons.",
    ),
    "order_shipped": _Template(
        "Commande {order_id} expédiée",
        "Bonjour {name},\n\nVotre commande {order_id} ({units} pièces) est en route. Nous prévoyons son arrivée "
        "le {expected_on}.\n\nL'équipe Bilum",
        "Bilum: commande {order_id} ({units} pièces) expédiée, arrivée prévue le {expected_on:short}.",
    ),
    "order_delivered": _Template(
        "Commande {order_id} livrée",
        "Bonjour {name},\n\nVotre commande {order_id} ({units} pièces) a été livrée. Merci d'avoir choisi nos "
        "producteurs.\n\nL'équipe Bilum",
        "Bilum: commande {order_id} ({units} pièces) livrée. Merci !",
    ),
    "document_proforma": _Template(
        "Facture pro forma {number} pour la commande {order_id}",
        "Bonjour {name},\n\nFacture pro forma {number} pour la commande {order_id} : total {amount} ; acompte de "
        "{deposit} à régler au plus tard le {due_on}.\nVous pouvez la consulter et la télécharger sur votre page "
        "acheteur de Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: pro forma {number}, commande {order_id}: total {amount}, acompte {deposit} avant le "
        "{due_on:short}. Voir /buyer",
    ),
    "document_proforma_total": _Template(
        "Facture pro forma {number} pour la commande {order_id}",
        "Bonjour {name},\n\nFacture pro forma {number} pour la commande {order_id} : total {amount}.\nVous pouvez "
        "la consulter et la télécharger sur votre page acheteur de Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: pro forma {number}, commande {order_id}: total {amount}. Voir votre page acheteur, /buyer",
    ),
    "document_invoice": _Template(
        "Facture commerciale {number} pour la commande {order_id}",
        "Bonjour {name},\n\nFacture commerciale {number} pour la commande {order_id} : total {amount}, à régler "
        "au plus tard le {due_on}.\nVous pouvez la consulter et la télécharger sur votre page acheteur de "
        "Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: facture {number}, commande {order_id}: total {amount}, à régler avant le {due_on:short}. Voir /buyer",
    ),
    "document_invoice_total": _Template(
        "Facture commerciale {number} pour la commande {order_id}",
        "Bonjour {name},\n\nFacture commerciale {number} pour la commande {order_id} : total {amount}.\nVous "
        "pouvez la consulter et la télécharger sur votre page acheteur de Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: facture {number}, commande {order_id}: total {amount}. Voir votre page acheteur, /buyer",
    ),
    "document_credit_note": _Template(
        "Avoir {number} rectifiant {corrects}",
        "Bonjour {name},\n\nAvoir {number} rectifiant {corrects} (commande {order_id}) : {amount}.\nVous pouvez "
        "le consulter et le télécharger sur votre page acheteur de Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: avoir {number} rectifiant {corrects}, commande {order_id}: {amount}. Voir /buyer",
    ),
    "document_credit_note_order": _Template(
        "Avoir {number} pour la commande {order_id}",
        "Bonjour {name},\n\nAvoir {number} pour la commande {order_id} : {amount}.\nVous pouvez le consulter et "
        "le télécharger sur votre page acheteur de Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: avoir {number}, commande {order_id}: {amount}. Voir votre page acheteur, /buyer",
    ),
    "document_packing_list": _Template(
        "Liste de colisage {number} pour votre expédition",
        "Bonjour {name},\n\nListe de colisage {number} pour l'expédition de votre commande {order_id}.\nVous "
        "pouvez la consulter et la télécharger sur votre page acheteur de Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: liste de colisage {number} pour l'expédition de la commande {order_id}. Voir votre page "
        "acheteur, /buyer",
    ),
    "payment_overdue": _Template(
        "Rappel : {outstanding} en retard sur la commande {order_id}",
        "Bonjour {name},\n\n{outstanding} pour la commande {order_id} étaient dus le {due_on} et sont en retard "
        "de {days} jours (documents : {documents}). Merci de régler cette somme dès que possible ; si vous l'avez "
        "déjà fait, merci, et ne tenez pas compte de ce rappel.\nVos documents sont sur votre page acheteur de "
        "Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum rappel: {outstanding} pour la commande {order_id} dus le {due_on:short}, {days} jours de retard. "
        "Merci de régler.",
    ),
    "claim_accepted": _Template(
        "Votre réclamation sur la commande {order_id} est acceptée",
        "Bonjour {name},\n\nNous avons accepté votre réclamation sur la commande {order_id} pour la totalité des "
        "{claimed_units} pièces.\nMotif : {reason}\n\nL'équipe Bilum",
        "Bilum: réclamation sur la commande {order_id} acceptée, les {claimed_units} pièces. Détails par e-mail.",
    ),
    "claim_accepted_credited": _Template(
        "Votre réclamation sur la commande {order_id} est acceptée",
        "Bonjour {name},\n\nNous avons accepté votre réclamation sur la commande {order_id} pour la totalité des "
        "{claimed_units} pièces.\nMotif : {reason}\nNous avons émis l'avoir {credit_note} : vous pouvez le "
        "consulter et le télécharger sur votre page acheteur de Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: réclamation sur la commande {order_id} acceptée, les {claimed_units} pièces. Avoir "
        "{credit_note}, voir /buyer",
    ),
    "claim_partly_accepted": _Template(
        "Votre réclamation sur la commande {order_id} est acceptée en partie",
        "Bonjour {name},\n\nNous avons accepté votre réclamation sur la commande {order_id} pour {accepted_units} "
        "des {claimed_units} pièces réclamées.\nMotif : {reason}\n\nL'équipe Bilum",
        "Bilum: réclamation sur la commande {order_id} acceptée en partie: {accepted_units} sur {claimed_units} "
        "pièces. Détails par e-mail.",
    ),
    "claim_partly_accepted_credited": _Template(
        "Votre réclamation sur la commande {order_id} est acceptée en partie",
        "Bonjour {name},\n\nNous avons accepté votre réclamation sur la commande {order_id} pour {accepted_units} "
        "des {claimed_units} pièces réclamées.\nMotif : {reason}\nNous avons émis l'avoir {credit_note} : vous "
        "pouvez le consulter et le télécharger sur votre page acheteur de Bilum : /buyer\n\nL'équipe Bilum",
        "Bilum: réclamation commande {order_id} acceptée en partie, {accepted_units} sur {claimed_units}. Avoir "
        "{credit_note}, voir /buyer",
    ),
    "claim_rejected": _Template(
        "Votre réclamation sur la commande {order_id} n'est pas acceptée",
        "Bonjour {name},\n\nNous avons examiné votre réclamation sur la commande {order_id} ({claimed_units} "
        "pièces) et ne pouvons pas l'accepter.\nMotif : {reason}\nSi vous n'êtes pas d'accord, contactez-nous."
        "\n\nL'équipe Bilum",
        "Bilum: votre réclamation sur la commande {order_id} ({claimed_units} pièces) n'est pas acceptée. Motif "
        "par e-mail.",
    ),
    "aggregator_shortfall": _Template(
        "Commande {order_id} : {short} {product} sur {ordered} sans producteur",
        "Bonjour {name},\n\nLa commande {order_id} demande {ordered} x {product}, dont {short} n'ont pu être "
        "confiés à aucun producteur : la capacité manque avant l'échéance. Ajoutez des producteurs ou de la "
        "capacité, ou convenez d'un changement avec l'acheteur.\n\nL'équipe Bilum",
        "Bilum: commande {order_id}, {product}: {short} sur {ordered} sans producteur. Ajoutez de la capacité ou "
        "voyez l'acheteur.",
    ),
    "aggregator_lot_rejected": _Template(
        "Lot refusé : {quantity} x {product} de {producer}",
        "Bonjour {name},\n\nLe lot de {quantity} x {product} de {producer} (commande {ref}) a été refusé au "
        "contrôle : {defects} défectueux sur un échantillon de {sample_size}. Appelez le producteur pour organiser "
        "une reprise, ou laissez la quantité être confiée à d'autres.\n\nL'équipe Bilum",
        "Bilum: lot refusé, {quantity} x {product} de {producer} (commande {ref}): {defects} défectueux sur "
        "{sample_size} contrôlés.",
    ),
    "aggregator_dead_letters": _Template(
        "{count} messages du service {service} demandent votre attention",
        "Bonjour {name},\n\n{count} messages du service {service} n'ont pas pu être traités et attendent dans sa "
        "file de lettres mortes. Rien n'est perdu : listez-les avec `bilum dlq list` et rejouez-les avec "
        "`bilum dlq replay` une fois la cause corrigée.\n\nL'équipe Bilum",
        "Bilum: {count} messages du service {service} sont en file de lettres mortes. Voir bilum dlq list.",
    ),
    "aggregator_shipment_late": _Template(
        "Envoi {shipment_id} en retard",
        "Bonjour {name},\n\nL'envoi {shipment_id} était prévu le {due_on} et n'est pas encore livré. Il faudra "
        "peut-être prévenir les acheteurs des commandes qu'il transporte.\n\nL'équipe Bilum",
        "Bilum: envoi {shipment_id} en retard: prévu le {due_on:short}, pas encore livré.",
    ),
    "aggregator_unreachable": _Template(
        "Impossible de joindre {producer}",
        "Bonjour {name},\n\nNous n'avons pu joindre {producer} ({contact}) sur aucun canal au sujet de la "
        "commande {ref}. Merci de prendre contact autrement, ou de vérifier son numéro et son adresse e-mail.\n\n"
        "L'équipe Bilum",
        "Bilum: impossible de joindre {producer} ({contact}) pour la commande {ref}. Merci de prendre contact "
        "autrement.",
    ),
    "aggregator_quote_requested": _Template(
        "Demande de devis de {company} : {title}",
        "Bonjour {name},\n\n{requester} ({company}) demande un devis sur votre catalogue {title} :\n{items}\n\n"
        "Répondez-lui à {reply_to}.\n\nSon message :\n{message}\n\nL'équipe Bilum",
        "Bilum: demande de devis de {requester} ({company}) sur {title}. Répondre à {reply_to}.",
    ),
    "daily_digest": _Template(
        "Bilum : votre résumé du {day}",
        "Bonjour {name},\n\nCe qui s'est passé le {day} :\n{items}\n\nL'équipe Bilum",
        "Bilum: {items:count} nouvelles pour le {day:short}. Le détail est dans votre e-mail.",
    ),
    "sms_reply_unknown": _reply(
        "Numéro inconnu",
        "Bilum: nous ne connaissons pas ce numéro. Demandez à votre groupement de l'enregistrer chez Bilum.",
    ),
    "sms_help": _reply(
        "Comment répondre à Bilum",
        "Bilum: répondez YES ABC123 pour accepter, YES ABC123 20 pour en prendre 20, NO ABC123 pour refuser, "
        "DONE ABC123 20 quand 20 sont finis, BAL pour votre solde.",
    ),
    "sms_reply_quantity_refused": _reply(
        "Nous n'avons pas pu prendre votre nombre",
        "Bilum: {asked} ne convient pas pour la commande {ref} ({quantity} x {product}). Envoyez un nombre qui "
        "convient, ou HELP.",
    ),
    "sms_reply_top_up_refused": _reply(
        "Nous n'avons pas pu prendre votre nombre",
        "Bilum: {asked} ne convient pas pour les {more} x {product} en plus de la commande {ref}. Envoyez un "
        "nombre qui convient, ou HELP.",
    ),
    "sms_reply_closed": _reply(
        "La commande {ref} ne peut pas prendre cette réponse",
        "Bilum: la commande {ref} ne peut pas prendre cette réponse maintenant : déjà répondue, fermée, ou pas "
        "encore acceptée. Votre groupement peut vous aider.",
    ),
    "sms_error_empty": _reply(
        "Nous n'avons pas compris votre réponse",
        "Bilum: votre message est vide. Répondez YES ABC123 pour accepter, NO ABC123 pour refuser, DONE ABC123 20 "
        "quand 20 sont finis, ou HELP.",
    ),
    "sms_error_unknown_command": _reply(
        "Nous n'avons pas compris votre réponse",
        "Bilum: désolé, nous n'avons pas compris. Répondez YES ABC123 pour accepter, NO ABC123 pour refuser, "
        "DONE ABC123 20 quand 20 sont finis, ou HELP.",
    ),
    "sms_error_missing_ref": _reply(
        "Nous n'avons pas compris votre réponse",
        "Bilum: il manque le code. Mettez le code de notre SMS après le mot, ex. YES ABC123 ou DONE ABC123 20.",
    ),
    "sms_error_bad_ref": _reply(
        "Nous n'avons pas compris votre réponse",
        "Bilum: ce code n'est pas valable. Un code a 4 à 10 lettres et chiffres, ex. YES ABC123. Copiez-le "
        "depuis notre SMS.",
    ),
    "sms_error_extra_words": _reply(
        "Nous n'avons pas compris votre réponse",
        "Bilum: trop de mots. Répondez YES ABC123 pour tout accepter, YES ABC123 20 pour en prendre 20, ou "
        "DONE ABC123 20 quand 20 sont finis.",
    ),
    "sms_error_unexpected_quantity": _reply(
        "Nous n'avons pas compris votre réponse",
        "Bilum: NO ne prend pas de nombre. Répondez NO ABC123 pour refuser, ou YES ABC123 20 pour en prendre 20 "
        "seulement.",
    ),
    "sms_error_missing_quantity": _reply(
        "Nous n'avons pas compris votre réponse",
        "Bilum: combien sont finis ? Répondez DONE, le code et le nombre, ex. DONE ABC123 20.",
    ),
    "sms_error_bad_quantity": _reply(
        "Nous n'avons pas compris votre réponse",
        "Bilum: il faut un nombre entier plus grand que 0, ex. YES ABC123 20 ou DONE ABC123 20.",
    ),
}

_TPI = {
    "balance": _Template(
        "Mani bilong yu long Bilum: {balance}",
        "Gutpela {name},\n\nMani i stap bilong yu em {balance}. Yu kisim {earned} pinis. Las pei em {last_paid} "
        "long {paid_on}.\n\nBilum tim",
        "Bilum: mani i stap {balance}. Yu kisim {earned} pinis. Las pei {last_paid} long {paid_on:short}.",
    ),
    "balance_unpaid": _Template(
        "Mani bilong yu long Bilum: {balance}",
        "Gutpela {name},\n\nMani i stap bilong yu em {balance}. Yu kisim {earned} pinis. Mipela i no pei yu "
        "yet.\n\nBilum tim",
        "Bilum: mani i stap {balance}. Yu kisim {earned} pinis. I no gat pei yet.",
    ),
    "balance_empty": _reply(
        "Mani bilong yu long Bilum",
        "Bilum: i no gat mani yet. Taim wok bilong yu i pas long sekim, mani bilong yu bai i kamap hia. Bekim BAL "
        "long askim gen.",
    ),
    "advance_recorded": _Template(
        "Dinau long wok {ref}: {amount}",
        "Gutpela {name},\n\nMipela i raitim dinau {amount} long wok {ref}: {description}. Mipela bai kisim bek "
        "long mani bilong dispela wok. Mani i stap nau em {balance}.\n\nBilum tim",
        "Bilum: dinau {amount} long wok {ref} i stap. Mipela bai kisim bek long mani bilong wok. Mani i stap "
        "{balance}.",
    ),
    "payout_confirmed": _Template(
        "Pei {amount}",
        "Gutpela {name},\n\nMipela i peim yu {amount} ({reference}) long wok {works}. Tenkyu long wok "
        "bilong yu.\n\nBilum tim",
        "Bilum: mipela i peim yu {amount} long wok {works}. Tenkyu!",
    ),
    "quota_offered": _Template(
        "Nupela wok bilong yu: {quantity} x {product}",
        "Gude {name},\n\nMipela i gat nupela wok bilong yu: {quantity} x {product} (namba {ref}).\n\n"
        "Sapos yu inap wokim olgeta, bekim YES {ref}. Sapos yu laik wokim hap tasol, putim namba tu, olsem "
        "YES {ref} 20. Sapos nogat, bekim NO {ref}.\nPlis bekim pastaim long {respond_by}.\n\nTenkyu,\nBilum",
        "Bilum: nupela wok {quantity} x {product}. Bekim YES {ref} sapos yu inap wokim, o NO {ref} sapos nogat, "
        "pastaim long {respond_by:short}.",
    ),
    "quota_reminder": _Template(
        "Tingim: wok {ref} i wetim bekim bilong yu",
        "Gude {name},\n\nMipela i wetim yet bekim bilong yu long wok {ref}: {quantity} x {product}.\n"
        "Bekim YES {ref} o NO {ref} pastaim long {respond_by}. Sapos yu no bekim, wok bai i go long ol narapela."
        "\n\nTenkyu,\nBilum",
        "Bilum: tingim wok {ref} ({quantity} x {product}). Plis bekim YES {ref} o NO {ref} pastaim long "
        "{respond_by:short}.",
    ),
    "quota_reallocated": _Template(
        "Wok {ref} i go long ol narapela",
        "Gude {name},\n\n{quantity} x {product} bilong wok {ref} i no bilong yu nau: mipela i givim long ol "
        "narapela wokman. Grup bilong yu inap tokim yu long as bilong en.\n\nBilum",
        "Bilum: {quantity} x {product} bilong wok {ref} i go long ol narapela nau. Grup bilong yu bai tokim yu "
        "long as bilong en.",
    ),
    "quota_top_up_offered": _Template(
        "Moa wok: {more} x {product} moa long wok {ref}",
        "Gude {name},\n\nYu wokim wok {ref} bilong mipela. Yu inap wokim {more} x {product} moa long en? Olgeta "
        "bai kamap {total}.\n\nSapos yu inap wokim olgeta, bekim YES {ref}. Sapos yu laik wokim hap tasol, putim "
        "namba tu, olsem YES {ref} 5. Sapos nogat, bekim NO {ref}: wok yu gat pinis i stap bilong yu yet.\n"
        "Plis bekim pastaim long {respond_by}.\n\nTenkyu,\nBilum",
        "Bilum: yu inap wokim {more} x {product} moa long wok {ref}, olgeta {total}? Bekim YES {ref} o NO {ref} "
        "pastaim long {respond_by:short}.",
    ),
    "quota_top_up_accepted_ack": _Template(
        "Tenkyu: {total} x {product} long wok {ref}",
        "Gude {name},\n\nTenkyu: bai yu wokim {more} x {product} moa long wok {ref}, olgeta {total}.\n"
        "Olsem bipo, olgeta taim sampela i redi, bekim DONE {ref} na namba.\n\nBilum",
        "Bilum: tenkyu! Bai yu wokim {more} x {product} moa long wok {ref}, olgeta {total}.",
    ),
    "quota_top_up_declined_ack": _Template(
        "Mipela i save, yu no inap wokim moa long wok {ref}",
        "Gude {name},\n\nMipela i save, yu no inap wokim moa long wok {ref}. Bai mipela askim ol narapela wokman. "
        "Wok yu gat pinis i stap bilong yu yet: {quantity} x {product}.\n\nBilum",
        "Bilum: mipela i save, yu no wokim moa long wok {ref}. Bai mipela askim ol narapela. {quantity} x "
        "{product} i stap bilong yu yet.",
    ),
    "quota_top_up_lapsed": _Template(
        "{more} x {product} moa i go long ol narapela",
        "Gude {name},\n\nYu no bekim long taim, olsem na {more} x {product} moa bilong wok {ref} i go long ol "
        "narapela wokman. Wok yu gat pinis i stap bilong yu yet: {quantity} x {product}.\n\nBilum",
        "Bilum: yu no bekim long taim, olsem na {more} x {product} moa i go long ol narapela. Wok {ref}, "
        "{quantity} i stap bilong yu yet.",
    ),
    "quota_accepted_ack": _Template(
        "Tenkyu: wok {ref} em i bilong yu",
        "Gude {name},\n\nTenkyu long kisim wok {ref}: {quantity} x {product}.\n"
        "Olgeta taim sampela i redi, bekim DONE {ref} na namba, olsem DONE {ref} 20.\n\nBilum",
        "Bilum: tenkyu! Wok {ref} em i bilong yu: {quantity} x {product}. Taim sampela i redi, bekim DONE {ref} "
        "na namba, olsem DONE {ref} 20.",
    ),
    "lot_received_ack": _Template(
        "Mipela i save, {quantity} x {product} i redi",
        "Gude {name},\n\nTenkyu: mipela i save nau, {quantity} x {product} bilong wok {ref} i redi. Bihain mipela "
        "bai tokim yu long sekim bilong kwaliti.\n\nBilum",
        "Bilum: tenkyu! Mipela i save, {quantity} x {product} bilong wok {ref} i redi. Bihain mipela bai tokim yu "
        "long sekim.",
    ),
    "inspection_passed": _Template(
        "Sekim i orait: {quantity} x {product}",
        "Gude {name},\n\nGutpela nius: mipela i sekim {quantity} x {product} bilong wok {ref} na ol i gutpela "
        "olgeta. Tenkyu long wok bilong yu.\n\nBilum",
        "Bilum: gutpela nius! Mipela i sekim {quantity} x {product} (wok {ref}), ol i gutpela. Tenkyu!",
    ),
    "quota_declined_ack": _Template(
        "Mipela i save, yu no kisim wok {ref}",
        "Gude {name},\n\nMipela i save, yu no laik kisim wok {ref}: {quantity} x {product}. Bai mipela givim long "
        "ol narapela wokman. Tenkyu long tokim mipela.\n\nBilum",
        "Bilum: mipela i save, yu no kisim wok {ref} ({quantity} x {product}). Bai mipela givim long ol narapela. "
        "Tenkyu!",
    ),
    "inspection_failed": _Template(
        "Sekim i no orait: {quantity} x {product}",
        "Gude {name},\n\nMipela i sekim {quantity} x {product} bilong wok {ref} na ol i no kamap long mak. Grup "
        "bilong yu bai ringim yu long stretim o wokim gen.\n\nBilum",
        "Bilum: mipela i sekim {quantity} x {product} (wok {ref}), ol i no kamap long mak. Grup bilong yu bai "
        "ringim yu.",
    ),
    "lot_rework_requested": _Template(
        "Plis stretim {quantity} x {product}",
        "Gude {name},\n\n{quantity} x {product} bilong wok {ref} i no kamap long mak, tasol yu inap stretim ol. "
        "Grup bilong yu bai soim yu long wanem samting yu mas stretim; bihain mipela bai sekim gen.\n\nBilum",
        "Bilum: plis stretim {quantity} x {product} (wok {ref}). Grup bilong yu bai soim yu wanem long stretim, na "
        "mipela bai sekim gen.",
    ),
    "lot_shipment_planned": _Template(
        "{quantity} x {product} bai go long {city}",
        "Gude {name},\n\n{quantity} x {product} bilong wok {ref} bai go long {city} wantaim sipmen. Grup bilong yu "
        "bai tokim yu long wanem taim na wanem hap kar bai kisim ol; plis pasim ol gut na redim ol.\n\nBilum",
        "Bilum: {quantity} x {product} (wok {ref}) bai go long {city}. Pasim ol gut; grup bilong yu bai tokim yu "
        "taim kar i kam.",
    ),
    "pickup_scheduled": _Template(
        "Kar bai kisim {quantity} x {product} long {pickup_at}",
        "Gude {name},\n\nKar bai kam kisim {quantity} x {product} (wok {ref}) long {place}, {pickup_at}. Plis "
        "pasim ol gut na redim ol.\n\nBilum",
        "Bilum: kar bai kam kisim {quantity} x {product} (wok {ref}) long {place}, {pickup_at:short}. Plis redim ol.",
    ),
    "order_confirmed": _Template(
        "Oda {order_id} i orait",
        "Gude {name},\n\nTenkyu long oda {order_id}, {units} samting. Mipela i skelim long ol wokman bilong "
        "mipela, na oda bai kamap long yu pastaim long {promised_by}.\n\nBilum",
        "Bilum: oda {order_id} i orait, {units} samting. Em bai kamap long yu pastaim long {promised_by:short}.",
    ),
    "order_received": _Template(
        "Mipela i kisim oda {order_id}",
        "Gude {name},\n\nTenkyu long oda {order_id}, {units} samting. Mipela i skelim long ol wokman bilong mipela, "
        "na bai mipela tokim yu long de oda bai kamap taim mipela i save.\n\nBilum",
        "Bilum: mipela i kisim oda {order_id}, {units} samting. Bihain mipela bai tokim yu long de em bai kamap.",
    ),
    "order_shortfall": _Template(
        "Oda {order_id}: {short} {product} i sot",
        "Gude {name},\n\nLong oda {order_id}, ol wokman bilong mipela i no inap wokim olgeta {ordered} x "
        "{product}: {short} i sot. Mipela bai toktok wantaim yu long wanem samting yumi ken mekim.\n\nBilum",
        "Bilum: oda {order_id}, {product}: {short} long {ordered} i sot. Mipela bai toktok wantaim yu.",
    ),
    "order_shipped": _Template(
        "Oda {order_id} i stap long rot",
        "Gude {name},\n\nOda {order_id} ({units} samting) i stap long rot nau. Em bai kamap long {expected_on}."
        "\n\nBilum",
        "Bilum: oda {order_id} ({units} samting) i stap long rot, em bai kamap long {expected_on:short}.",
    ),
    "order_delivered": _Template(
        "Oda {order_id} i kamap pinis",
        "Gude {name},\n\nOda {order_id} ({units} samting) i kamap pinis long yu. Tenkyu tru long baim ol samting "
        "bilong ol wokman bilong mipela.\n\nBilum",
        "Bilum: oda {order_id} ({units} samting) i kamap pinis long yu. Tenkyu tru!",
    ),
    "document_proforma": _Template(
        "Pro-foma {number} bilong oda {order_id}",
        "Gude {name},\n\nPro-foma {number} bilong oda {order_id}: olgeta {amount}; yu mas baim deposit {deposit} "
        "pastaim long {due_on}.\nYu ken lukim na daunlodim long pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: pro-foma {number}, oda {order_id}: olgeta {amount}, deposit {deposit} pastaim long "
        "{due_on:short}. Lukim /buyer",
    ),
    "document_proforma_total": _Template(
        "Pro-foma {number} bilong oda {order_id}",
        "Gude {name},\n\nPro-foma {number} bilong oda {order_id}: olgeta {amount}.\nYu ken lukim na daunlodim "
        "long pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: pro-foma {number}, oda {order_id}: olgeta {amount}. Lukim long pes bilong baia, /buyer",
    ),
    "document_invoice": _Template(
        "Invois {number} bilong oda {order_id}",
        "Gude {name},\n\nInvois {number} bilong oda {order_id}: olgeta {amount}, yu mas baim pastaim long "
        "{due_on}.\nYu ken lukim na daunlodim long pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: invois {number}, oda {order_id}: olgeta {amount}, baim pastaim long {due_on:short}. Lukim /buyer",
    ),
    "document_invoice_total": _Template(
        "Invois {number} bilong oda {order_id}",
        "Gude {name},\n\nInvois {number} bilong oda {order_id}: olgeta {amount}.\nYu ken lukim na daunlodim long "
        "pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: invois {number}, oda {order_id}: olgeta {amount}. Lukim long pes bilong baia, /buyer",
    ),
    "document_credit_note": _Template(
        "Kredit not {number} i stretim {corrects}",
        "Gude {name},\n\nKredit not {number} i stretim {corrects} (oda {order_id}): {amount}.\nYu ken lukim na "
        "daunlodim long pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: kredit not {number} i stretim {corrects}, oda {order_id}: {amount}. Lukim /buyer",
    ),
    "document_credit_note_order": _Template(
        "Kredit not {number} bilong oda {order_id}",
        "Gude {name},\n\nKredit not {number} bilong oda {order_id}: {amount}.\nYu ken lukim na daunlodim long pes "
        "bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: kredit not {number}, oda {order_id}: {amount}. Lukim long pes bilong baia, /buyer",
    ),
    "document_packing_list": _Template(
        "Pekin lis {number} bilong sipmen bilong yu",
        "Gude {name},\n\nPekin lis {number} bilong sipmen bilong oda {order_id}.\nYu ken lukim na daunlodim long "
        "pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: pekin lis {number} bilong sipmen bilong oda {order_id}. Lukim long pes bilong baia, /buyer",
    ),
    "payment_overdue": _Template(
        "Tingim: {outstanding} bilong oda {order_id} i no pe yet",
        "Gude {name},\n\nYu mas baim {outstanding} bilong oda {order_id} long {due_on}, na nau em i lait {days} "
        "de (pepa: {documents}). Plis baim kwik. Sapos yu baim pinis, tenkyu, na yu no ken tingim dispela "
        "tok.\nOl pepa bilong yu i stap long pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: tingim, {outstanding} bilong oda {order_id} i mas pe long {due_on:short}, em i lait {days} de. "
        "Plis baim kwik.",
    ),
    "claim_accepted": _Template(
        "Mipela i orait long klem bilong yu long oda {order_id}",
        "Gude {name},\n\nMipela i orait long klem bilong yu long oda {order_id}, long olgeta {claimed_units} "
        "samting.\nAs bilong en: {reason}\n\nBilum",
        "Bilum: mipela i orait long klem bilong yu long oda {order_id}, olgeta {claimed_units} samting. Lukim imel.",
    ),
    "claim_accepted_credited": _Template(
        "Mipela i orait long klem bilong yu long oda {order_id}",
        "Gude {name},\n\nMipela i orait long klem bilong yu long oda {order_id}, long olgeta {claimed_units} "
        "samting.\nAs bilong en: {reason}\nMipela i wokim kredit not {credit_note}: yu ken lukim na daunlodim long "
        "pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: klem long oda {order_id} i orait, olgeta {claimed_units} samting. Kredit not {credit_note}, "
        "lukim /buyer",
    ),
    "claim_partly_accepted": _Template(
        "Mipela i orait long hap bilong klem bilong yu long oda {order_id}",
        "Gude {name},\n\nMipela i orait long {accepted_units} long {claimed_units} samting bilong klem bilong yu "
        "long oda {order_id}.\nAs bilong en: {reason}\n\nBilum",
        "Bilum: klem long oda {order_id}: mipela i orait long {accepted_units} long {claimed_units} samting. "
        "Lukim imel.",
    ),
    "claim_partly_accepted_credited": _Template(
        "Mipela i orait long hap bilong klem bilong yu long oda {order_id}",
        "Gude {name},\n\nMipela i orait long {accepted_units} long {claimed_units} samting bilong klem bilong yu "
        "long oda {order_id}.\nAs bilong en: {reason}\nMipela i wokim kredit not {credit_note}: yu ken lukim na "
        "daunlodim long pes bilong baia long Bilum: /buyer\n\nBilum",
        "Bilum: klem long oda {order_id}: orait long {accepted_units} long {claimed_units}. Kredit not "
        "{credit_note}, lukim /buyer",
    ),
    "claim_rejected": _Template(
        "Mipela i no orait long klem bilong yu long oda {order_id}",
        "Gude {name},\n\nMipela i lukluk gut long klem bilong yu long oda {order_id} ({claimed_units} samting), "
        "tasol mipela i no inap orait long en.\nAs bilong en: {reason}\nSapos yu no wanbel, plis toktok wantaim "
        "mipela.\n\nBilum",
        "Bilum: mipela i no orait long klem bilong yu long oda {order_id} ({claimed_units} samting). As bilong en "
        "i stap long imel.",
    ),
    "aggregator_shortfall": _Template(
        "Oda {order_id}: {short} {product} i no gat wokman",
        "Gude {name},\n\nOda {order_id} i askim {ordered} x {product}, na {short} i no gat wokman: ol wokman i no "
        "gat inap taim pastaim long de bilong en. Painim moa wokman, o toktok wantaim baia.\n\nBilum",
        "Bilum: oda {order_id}, {product}: {short} long {ordered} i no gat wokman. Painim moa wokman o toktok "
        "wantaim baia.",
    ),
    "aggregator_lot_rejected": _Template(
        "Sekim i no orait: {quantity} x {product} bilong {producer}",
        "Gude {name},\n\n{quantity} x {product} bilong {producer} (wok {ref}) i no kamap long mak: {defects} i "
        "nogut long {sample_size} mipela i sekim. Plis ringim em long stretim, o larim narapela i wokim.\n\nBilum",
        "Bilum: {quantity} x {product} bilong {producer} (wok {ref}) i no kamap long mak: {defects} i nogut long "
        "{sample_size}.",
    ),
    "aggregator_dead_letters": _Template(
        "{count} tok bilong {service} i pas",
        "Gude {name},\n\n{count} tok bilong {service} i no inap go gut na i stap long dead-letter queue. Nogat "
        "samting i lus: lukim ol wantaim `bilum dlq list` na salim gen wantaim `bilum dlq replay` taim yu stretim "
        "pinis hevi.\n\nBilum",
        "Bilum: {count} tok bilong {service} i stap long dead-letter queue. Lukim bilum dlq list.",
    ),
    "aggregator_shipment_late": _Template(
        "Sipmen {shipment_id} i bihain",
        "Gude {name},\n\nSipmen {shipment_id} i mas kamap long {due_on}, tasol em i no kamap yet. Ating yu mas "
        "tokim ol baia.\n\nBilum",
        "Bilum: sipmen {shipment_id} i bihain: em i mas kamap long {due_on:short}, tasol i no kamap yet.",
    ),
    "aggregator_unreachable": _Template(
        "Mipela i no inap painim {producer}",
        "Gude {name},\n\nMipela i no inap painim {producer} ({contact}) long wok {ref}, long wanpela rot tu. Plis "
        "toktok wantaim em long narapela rot, o sekim namba fon na imel bilong em.\n\nBilum",
        "Bilum: mipela i no inap painim {producer} ({contact}) long wok {ref}. Plis toktok wantaim em long "
        "narapela rot.",
    ),
    "aggregator_quote_requested": _Template(
        "{company} i askim prais: {title}",
        "Gude {name},\n\n{requester} ({company}) i askim prais long katalok {title} bilong yu:\n{items}\n\n"
        "Bekim em long {reply_to}.\n\nToktok bilong em:\n{message}\n\nBilum",
        "Bilum: {requester} ({company}) i askim prais long {title}. Bekim long {reply_to}.",
    ),
    "daily_digest": _Template(
        "Bilum: nius bilong {day}",
        "Gude {name},\n\nOl samting i kamap long {day}:\n{items}\n\nBilum",
        "Bilum: {items:count} nius bilong {day:short}. Lukim imel bilong yu.",
    ),
    "sms_reply_unknown": _reply(
        "Namba fon mipela i no save",
        "Bilum: mipela i no save long dispela namba fon. Askim grup bilong yu long putim namba bilong yu long Bilum.",
    ),
    "sms_help": _reply(
        "Olsem wanem long bekim Bilum",
        "Bilum: bekim YES ABC123 long kisim wok, YES ABC123 20 long kisim 20 tasol, NO ABC123 sapos nogat, "
        "DONE ABC123 20 taim 20 i redi, BAL long save mani.",
    ),
    "sms_reply_quantity_refused": _reply(
        "Namba bilong yu i no fit",
        "Bilum: {asked} i no fit long wok {ref} ({quantity} x {product}). Plis salim namba i fit, o bekim HELP.",
    ),
    "sms_reply_top_up_refused": _reply(
        "Namba bilong yu i no fit",
        "Bilum: {asked} i no fit long {more} x {product} moa bilong wok {ref}. Plis salim namba i fit, o bekim HELP.",
    ),
    "sms_reply_closed": _reply(
        "Wok {ref} i no inap kisim dispela bekim",
        "Bilum: wok {ref} i no inap kisim dispela bekim nau. Ating yu bekim pinis, em i pinis, o yu no kisim yet. "
        "Grup bilong yu inap helpim yu.",
    ),
    "sms_error_empty": _reply(
        "Mipela i no save long bekim bilong yu",
        "Bilum: tok bilong yu i no gat wanpela samting. Bekim YES ABC123 long kisim wok, NO ABC123 sapos nogat, "
        "o HELP.",
    ),
    "sms_error_unknown_command": _reply(
        "Mipela i no save long bekim bilong yu",
        "Bilum: sori, mipela i no save long dispela tok. Bekim YES ABC123 long kisim wok, NO ABC123 sapos nogat, "
        "DONE ABC123 20 taim 20 i redi, o HELP.",
    ),
    "sms_error_missing_ref": _reply(
        "Mipela i no save long bekim bilong yu",
        "Bilum: namba bilong wok i no stap. Putim namba long SMS bilong mipela, olsem YES ABC123 o DONE ABC123 20.",
    ),
    "sms_error_bad_ref": _reply(
        "Mipela i no save long bekim bilong yu",
        "Bilum: dispela namba bilong wok i no stret. Em i gat 4 i go 10 leta na namba, olsem YES ABC123. Kopim "
        "long SMS bilong mipela.",
    ),
    "sms_error_extra_words": _reply(
        "Mipela i no save long bekim bilong yu",
        "Bilum: planti tok tumas. Bekim YES ABC123 long kisim olgeta, YES ABC123 20 long kisim 20 tasol, o "
        "DONE ABC123 20 taim 20 i redi.",
    ),
    "sms_error_unexpected_quantity": _reply(
        "Mipela i no save long bekim bilong yu",
        "Bilum: NO i no nidim namba. Bekim NO ABC123 sapos nogat, o YES ABC123 20 long kisim 20 tasol.",
    ),
    "sms_error_missing_quantity": _reply(
        "Mipela i no save long bekim bilong yu",
        "Bilum: hamas i redi? Bekim DONE, namba bilong wok na hamas, olsem DONE ABC123 20.",
    ),
    "sms_error_bad_quantity": _reply(
        "Mipela i no save long bekim bilong yu",
        "Bilum: hamas i mas olsem 20, i no 0. Bekim olsem YES ABC123 20 o DONE ABC123 20.",
    ),
}

_TEMPLATES = {"en": _EN, "fr": _FR, "tpi": _TPI}


def _fields(template: _Template) -> frozenset[str]:
    return frozenset(
        name
        for part in (template.subject, template.text, template.sms)
        for _, name, _, _ in string.Formatter().parse(part)
        if name
    )


# The values a kind needs are the ones its English form uses; every language uses exactly those (tested).
FIELDS = {kind: _fields(template) for kind, template in _EN.items()}
KINDS = tuple(FIELDS)

_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "tpi": (
        "Janueri",
        "Februeri",
        "Mas",
        "Epril",
        "Me",
        "Jun",
        "Julai",
        "Ogus",
        "Septemba",
        "Oktoba",
        "Novemba",
        "Desemba",
    ),
}
_SHORT_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": _MONTHS["fr"],  # French abbreviations end in a full stop, which reads badly at the end of a sentence
    "tpi": _MONTHS["tpi"],
}
_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "tpi": ("Mande", "Tunde", "Trinde", "Fonde", "Fraide", "Sarere", "Sande"),
}


def choose_language(languages) -> str:
    """The first of the recipient's languages we write (``fr-FR`` counts as ``fr``), else English."""
    for tag in languages or ():
        primary = str(tag).replace("_", "-").split("-")[0].lower()
        if primary in _TEMPLATES:
            return primary
    return FALLBACK_LANGUAGE


def render(kind: str, languages, /, *, zone: str | None = None, **values) -> Rendered:
    """``zone`` is the IANA name of the recipient's time zone; datetimes must be timezone-aware."""
    if kind not in FIELDS:
        raise ValueError(f"unknown message kind {kind!r}")
    missing = FIELDS[kind] - values.keys()
    if missing:
        raise ValueError(f"{kind} needs {', '.join(sorted(missing))}")
    unexpected = values.keys() - FIELDS[kind]
    if unexpected:
        raise ValueError(f"{kind} does not use {', '.join(sorted(unexpected))}")
    language = choose_language(languages)
    template = _TEMPLATES[language][kind]
    formatter = _Formatter(language, ZoneInfo(zone) if zone else None)
    return Rendered(
        subject=formatter.format(template.subject, **values),
        text=formatter.format(template.text, **values),
        sms_text=sms.to_gsm7(formatter.format(template.sms, **values)),
        language=language,
    )


class _Formatter(string.Formatter):
    """``{when}`` is the long form of a date or time, ``{when:short}`` the SMS form; ``{items}`` a list as lines,
    ``{items:count}`` its length."""

    def __init__(self, language: str, zone: ZoneInfo | None):
        super().__init__()
        self.language = language
        self.zone = zone

    def format_field(self, value, format_spec: str) -> str:
        if format_spec not in ("", "short", "count"):
            raise ValueError(f"unknown format {format_spec!r}")
        if isinstance(value, datetime):
            return self._datetime(value, short=format_spec == "short")
        if isinstance(value, date):
            return self._date(value, short=format_spec == "short")
        if isinstance(value, (list, tuple)):
            return str(len(value)) if format_spec == "count" else "\n".join(f"- {item}" for item in value)
        return str(value)

    def _date(self, day: date, short: bool) -> str:
        month = (_SHORT_MONTHS if short else _MONTHS)[self.language][day.month - 1]
        number = "1er" if self.language == "fr" and day.day == 1 else str(day.day)
        if short:
            return f"{number} {month}"
        return f"{_WEEKDAYS[self.language][day.weekday()]} {number} {month} {day.year}"

    def _datetime(self, moment: datetime, short: bool) -> str:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("times must be timezone-aware")
        local = moment.astimezone(self.zone or ZoneInfo("UTC"))
        clock = f"{local:%H}h{local:%M}" if self.language == "fr" else f"{local:%H:%M}"
        day = self._date(local.date(), short)
        if self.language == "fr":
            joined = f"{day} à {clock}"
        else:
            joined = f"{day} {clock}" if short else f"{day}, {clock}"
        if self.zone is None:
            return f"{joined} UTC"
        return joined if short else f"{joined} ({_offset_label(local.utcoffset())})"


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")
