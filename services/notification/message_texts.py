"""What Bilum says to whom, in English: the code's own text, and the message ids of the ``bilum`` gettext catalogues
(``shared/locale/<language>/LC_MESSAGES/bilum.po``) that translate it. ``templates.render`` writes them in the
reader's language. Data, not logic.

Each kind of message has three forms: a subject, a full text (email body, webhook payload) and an SMS text; an answer
to an SMS is its SMS text in every form. Each form is its own message in the catalogues, under the context
``"<kind> <form>"``, so the same English in two places can be translated differently. The SMS is written to fit one
GSM-7 message with ordinary values (a product name of about 30 letters). Producers answer with the English keywords
YES, NO, DONE, HELP and BAL in every language: the parser is one grammar, and the messages say so by example. The
answers to SMS replies are the reply parser's own words (``sms.HELP_TEXT``, ``sms.REPLY_ERRORS``).
"""

from dataclasses import dataclass

from services.notification import sms
from shared.translations import NC_


@dataclass(frozen=True)
class MessageTexts:
    subject: str
    text: str | None
    sms: str


def _reply(subject: str, text: str) -> MessageTexts:
    """An answer to an SMS: the same words in every form."""
    return MessageTexts(subject, None, text)


MESSAGES = {
    "balance": MessageTexts(
        NC_("balance subject", "Your money with Bilum: {balance}"),
        NC_(
            "balance text",
            "Dear {name},\n\nYour balance is {balance}. You have earned {earned} so far. Your last payment was "
            "{last_paid} on {paid_on}.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "balance sms",
            "Bilum: your balance is {balance}. Earned so far {earned}. Last payment {last_paid} on {paid_on:short}.",
        ),
    ),
    "balance_unpaid": MessageTexts(
        NC_("balance_unpaid subject", "Your money with Bilum: {balance}"),
        NC_(
            "balance_unpaid text",
            "Dear {name},\n\nYour balance is {balance}. You have earned {earned} so far. No payment has been made to "
            "you yet.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_("balance_unpaid sms", "Bilum: your balance is {balance}. Earned so far {earned}. No payment yet."),
    ),
    "balance_empty": _reply(
        NC_("balance_empty subject", "Your money with Bilum"),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in. Keep BAL in English: producers answer
        # with it.
        NC_(
            "balance_empty sms",
            "Bilum: no money yet. When your work passes the quality check, what you earn shows here. Reply BAL to ask "
            "again.",
        ),
    ),
    "advance_recorded": MessageTexts(
        NC_("advance_recorded subject", "Advance for work {ref}: {amount}"),
        NC_(
            "advance_recorded text",
            "Dear {name},\n\nWe recorded an advance of {amount} for work {ref}: {description}. It will be taken from "
            "what this work earns. Your balance is now {balance}.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "advance_recorded sms",
            "Bilum: advance of {amount} for work {ref} recorded. It is taken from what this work earns. Balance "
            "{balance}.",
        ),
    ),
    "payout_confirmed": MessageTexts(
        NC_("payout_confirmed subject", "Paid {amount}"),
        NC_(
            "payout_confirmed text",
            "Dear {name},\n\nWe paid you {amount} ({reference}) for work {works}. Thank you for your work.\n\nThe "
            "Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_("payout_confirmed sms", "Bilum: paid {amount} for work {works}. Thank you!"),
    ),
    "quota_offered": MessageTexts(
        NC_("quota_offered subject", "New work for you: {quantity} x {product}"),
        # Translators: keep YES and NO in English: producers answer with them. {respond_by} is a date, time and zone,
        # e.g. Thursday 1 October 2026, 09:30 PNG time (UTC+10).
        NC_(
            "quota_offered text",
            "Dear {name},\n\nWe have new work for you: {quantity} x {product} (code {ref}).\n\nTo accept it all, "
            "reply YES {ref}. To take only part, add the number, for example YES {ref} 20. To decline, reply NO "
            "{ref}.\nPlease answer by {respond_by}.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        # Keep YES and NO in English: producers answer with them. {respond_by:short} is a date, time and zone, e.g.
        # 1 Oct 09:30 PNG time.
        NC_(
            "quota_offered sms",
            "Bilum: new work {quantity} x {product}. Reply YES {ref} to accept or NO {ref} to decline, by "
            "{respond_by:short}.",
        ),
    ),
    "quota_reminder": MessageTexts(
        NC_("quota_reminder subject", "Reminder: work {ref} is waiting for your answer"),
        # Translators: keep YES and NO in English: producers answer with them. {respond_by} is a date, time and zone,
        # e.g. Thursday 1 October 2026, 09:30 PNG time (UTC+10).
        NC_(
            "quota_reminder text",
            "Dear {name},\n\nWe are still waiting for your answer about work {ref}: {quantity} x {product}.\nReply "
            "YES {ref} to accept or NO {ref} to decline by {respond_by}. Without an answer the work goes to other "
            "producers.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        # Keep YES and NO in English: producers answer with them. {respond_by:short} is a date, time and zone, e.g.
        # 1 Oct 09:30 PNG time.
        NC_(
            "quota_reminder sms",
            "Bilum: reminder, work {ref} ({quantity} x {product}). Reply YES {ref} or NO {ref} by {respond_by:short}.",
        ),
    ),
    "quota_reallocated": MessageTexts(
        NC_("quota_reallocated subject", "Work {ref} has gone to other producers"),
        NC_(
            "quota_reallocated text",
            "Dear {name},\n\n{quantity} x {product} of work {ref} are no longer yours to make: we have passed them to "
            "other producers. Your group can tell you why.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "quota_reallocated sms",
            "Bilum: {quantity} x {product} of work {ref} have gone to other producers. Your group can tell you why.",
        ),
    ),
    "quota_top_up_offered": MessageTexts(
        NC_("quota_top_up_offered subject", "More work for you: another {more} x {product} for work {ref}"),
        # Translators: keep YES and NO in English: producers answer with them. {respond_by} is a date, time and zone,
        # e.g. Thursday 1 October 2026, 09:30 PNG time (UTC+10).
        NC_(
            "quota_top_up_offered text",
            "Dear {name},\n\nYou are making work {ref} for us. Can you make another {more} x {product} for it? That "
            "makes {total} in all.\n\nTo take them all, reply YES {ref}. To take only some, add the number, for "
            "example YES {ref} 5. If you cannot, reply NO {ref}: the work you have already stays yours.\nPlease "
            "answer by {respond_by}.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        # Keep YES and NO in English: producers answer with them. {respond_by:short} is a date, time and zone, e.g.
        # 1 Oct 09:30 PNG time.
        NC_(
            "quota_top_up_offered sms",
            "Bilum: can you make another {more} x {product} for work {ref}, {total} in all? Reply YES {ref} or NO "
            "{ref} by {respond_by:short}.",
        ),
    ),
    "quota_top_up_accepted_ack": MessageTexts(
        NC_("quota_top_up_accepted_ack subject", "Thank you: {total} x {product} for work {ref}"),
        # Translators: keep DONE in English: producers answer with it.
        NC_(
            "quota_top_up_accepted_ack text",
            "Dear {name},\n\nThank you: you will make another {more} x {product} for work {ref}, {total} in all.\nAs "
            "before, each time some are finished, reply DONE {ref} and the number.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "quota_top_up_accepted_ack sms",
            "Bilum: thank you! You will make another {more} x {product} for work {ref}, {total} in all.",
        ),
    ),
    "quota_top_up_declined_ack": MessageTexts(
        NC_("quota_top_up_declined_ack subject", "Noted: no more for work {ref}"),
        NC_(
            "quota_top_up_declined_ack text",
            "Dear {name},\n\nWe noted that you cannot make more for work {ref}. We will ask other producers. The work "
            "you have stays yours: {quantity} x {product}.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "quota_top_up_declined_ack sms",
            "Bilum: noted, no more for work {ref}. We will ask others. The work you have stays yours: {quantity} x "
            "{product}.",
        ),
    ),
    "quota_top_up_lapsed": MessageTexts(
        NC_("quota_top_up_lapsed subject", "The extra {more} x {product} have gone to other producers"),
        NC_(
            "quota_top_up_lapsed text",
            "Dear {name},\n\nWe had no answer in time, so the extra {more} x {product} we asked of you for work {ref} "
            "have gone to other producers. The work you have stays yours: {quantity} x {product}.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "quota_top_up_lapsed sms",
            "Bilum: no answer in time, so the extra {more} x {product} have gone to others. Work {ref} stays yours: "
            "{quantity}.",
        ),
    ),
    "quota_accepted_ack": MessageTexts(
        NC_("quota_accepted_ack subject", "Thank you: work {ref} is yours"),
        # Translators: keep DONE in English: producers answer with it.
        NC_(
            "quota_accepted_ack text",
            "Dear {name},\n\nThank you for accepting work {ref}: {quantity} x {product}.\nEach time some are "
            "finished, reply DONE {ref} and the number, for example DONE {ref} 20.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        # Keep DONE in English: producers answer with it.
        NC_(
            "quota_accepted_ack sms",
            "Bilum: thank you! Work {ref} is yours: {quantity} x {product}. When some are finished, reply DONE {ref} "
            "and the number, e.g. DONE {ref} 20.",
        ),
    ),
    "lot_received_ack": MessageTexts(
        NC_("lot_received_ack subject", "We noted {quantity} x {product} finished"),
        NC_(
            "lot_received_ack text",
            "Dear {name},\n\nThank you: we noted {quantity} x {product} finished for work {ref}. We will tell you the "
            "result of the quality check.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "lot_received_ack sms",
            "Bilum: thank you! We noted {quantity} x {product} finished for work {ref}. We will tell you the result "
            "of the quality check.",
        ),
    ),
    "inspection_passed": MessageTexts(
        NC_("inspection_passed subject", "Quality check passed: {quantity} x {product}"),
        NC_(
            "inspection_passed text",
            "Dear {name},\n\nGood news: your {quantity} x {product} for work {ref} passed the quality check. Thank "
            "you for your work.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "inspection_passed sms",
            "Bilum: good news! Your {quantity} x {product} (work {ref}) passed the quality check. Thank you!",
        ),
    ),
    "quota_declined_ack": MessageTexts(
        NC_("quota_declined_ack subject", "Noted: you decline work {ref}"),
        NC_(
            "quota_declined_ack text",
            "Dear {name},\n\nWe noted that you decline work {ref}: {quantity} x {product}. We will offer it to other "
            "producers. Thank you for telling us.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "quota_declined_ack sms",
            "Bilum: noted, you decline work {ref} ({quantity} x {product}). We will offer it to others. Thank you for "
            "telling us.",
        ),
    ),
    "inspection_failed": MessageTexts(
        NC_("inspection_failed subject", "Quality check not passed: {quantity} x {product}"),
        NC_(
            "inspection_failed text",
            "Dear {name},\n\nYour {quantity} x {product} for work {ref} did not pass the quality check. Your group "
            "will call you to see what can be mended or made again.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "inspection_failed sms",
            "Bilum: your {quantity} x {product} (work {ref}) did not pass the quality check. Your group will call you.",
        ),
    ),
    "lot_rework_requested": MessageTexts(
        NC_("lot_rework_requested subject", "Please mend {quantity} x {product}"),
        NC_(
            "lot_rework_requested text",
            "Dear {name},\n\nYour {quantity} x {product} for work {ref} did not pass the quality check, and they can "
            "be mended. Your group will show you what to fix; then they will be checked again.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "lot_rework_requested sms",
            "Bilum: please mend your {quantity} x {product} (work {ref}). Your group will show you what to fix, then "
            "they are checked again.",
        ),
    ),
    "lot_shipment_planned": MessageTexts(
        NC_("lot_shipment_planned subject", "{quantity} x {product} will travel to {city}"),
        NC_(
            "lot_shipment_planned text",
            "Dear {name},\n\nYour {quantity} x {product} for work {ref} are planned into a shipment to {city}. Your "
            "group will tell you when and where they are collected; please keep them packed and ready.\n\nThe Bilum "
            "team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "lot_shipment_planned sms",
            "Bilum: your {quantity} x {product} (work {ref}) will ship to {city}. Keep them packed; your group will "
            "say when they are collected.",
        ),
    ),
    "pickup_scheduled": MessageTexts(
        NC_("pickup_scheduled subject", "Pickup of {quantity} x {product} on {pickup_at}"),
        NC_(
            "pickup_scheduled text",
            "Dear {name},\n\nA vehicle will collect your {quantity} x {product} (work {ref}) at {place} on "
            "{pickup_at}. Please have them packed and ready.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "pickup_scheduled sms",
            "Bilum: a vehicle will collect {quantity} x {product} (work {ref}) at {place} on {pickup_at:short}. "
            "Please have them ready.",
        ),
    ),
    "order_confirmed": MessageTexts(
        NC_("order_confirmed subject", "Order {order_id} confirmed"),
        NC_(
            "order_confirmed text",
            "Dear {name},\n\nThank you for your order {order_id} of {units} units. We have shared it among our "
            "producers and promise delivery by {promised_by}.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "order_confirmed sms",
            "Bilum: order {order_id} confirmed, {units} units, delivery promised by {promised_by:short}.",
        ),
    ),
    "order_received": MessageTexts(
        NC_("order_received subject", "Order {order_id} received"),
        NC_(
            "order_received text",
            "Dear {name},\n\nThank you for your order {order_id} of {units} units. We are sharing it among our "
            "producers and will tell you the delivery date as soon as we can promise one.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "order_received sms",
            "Bilum: order {order_id} received, {units} units. We will tell you the delivery date soon.",
        ),
    ),
    "order_shortfall": MessageTexts(
        NC_("order_shortfall subject", "Order {order_id}: {short} of {ordered} {product} cannot be made in time"),
        NC_(
            "order_shortfall text",
            "Dear {name},\n\nFor order {order_id} our producers can make only part of the {ordered} x {product}: "
            "{short} are missing. We will contact you to agree on what to do: a later date for the rest, or a smaller "
            "order.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "order_shortfall sms",
            "Bilum: order {order_id}, {product}: {short} of {ordered} cannot be made in time. We will contact you.",
        ),
    ),
    "order_shipped": MessageTexts(
        NC_("order_shipped subject", "Order {order_id} is on its way"),
        NC_(
            "order_shipped text",
            "Dear {name},\n\nYour order {order_id} ({units} units) is on its way. We expect it to arrive by "
            "{expected_on}.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "order_shipped sms",
            "Bilum: order {order_id} ({units} units) is on its way, expected by {expected_on:short}.",
        ),
    ),
    "order_delivered": MessageTexts(
        NC_("order_delivered subject", "Order {order_id} delivered"),
        NC_(
            "order_delivered text",
            "Dear {name},\n\nYour order {order_id} ({units} units) has been delivered. Thank you for buying from our "
            "producers.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_("order_delivered sms", "Bilum: order {order_id} ({units} units) has been delivered. Thank you!"),
    ),
    "document_proforma": MessageTexts(
        NC_("document_proforma subject", "Pro-forma {number} for order {order_id}"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "document_proforma text",
            "Dear {name},\n\nPro-forma {number} for order {order_id}: total {amount}; deposit {deposit} due by "
            "{due_on}.\nYou can see and download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "document_proforma sms",
            "Bilum: pro-forma {number}, order {order_id}: total {amount}, deposit {deposit} due by {due_on:short}. "
            "See /buyer",
        ),
    ),
    "document_proforma_total": MessageTexts(
        NC_("document_proforma_total subject", "Pro-forma {number} for order {order_id}"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "document_proforma_total text",
            "Dear {name},\n\nPro-forma {number} for order {order_id}: total {amount}.\nYou can see and download it on "
            "your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "document_proforma_total sms",
            "Bilum: pro-forma {number}, order {order_id}: total {amount}. See it on your buyer page, /buyer",
        ),
    ),
    "document_invoice": MessageTexts(
        NC_("document_invoice subject", "Commercial invoice {number} for order {order_id}"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "document_invoice text",
            "Dear {name},\n\nCommercial invoice {number} for order {order_id}: total {amount}, due by {due_on}.\nYou "
            "can see and download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "document_invoice sms",
            "Bilum: invoice {number}, order {order_id}: total {amount}, due by {due_on:short}. See /buyer",
        ),
    ),
    "document_invoice_total": MessageTexts(
        NC_("document_invoice_total subject", "Commercial invoice {number} for order {order_id}"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "document_invoice_total text",
            "Dear {name},\n\nCommercial invoice {number} for order {order_id}: total {amount}.\nYou can see and "
            "download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "document_invoice_total sms",
            "Bilum: invoice {number}, order {order_id}: total {amount}. See it on your buyer page, /buyer",
        ),
    ),
    "document_credit_note": MessageTexts(
        NC_("document_credit_note subject", "Credit note {number} correcting {corrects}"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "document_credit_note text",
            "Dear {name},\n\nCredit note {number} correcting {corrects} (order {order_id}): {amount}.\nYou can see "
            "and download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "document_credit_note sms",
            "Bilum: credit note {number} correcting {corrects}, order {order_id}: {amount}. See /buyer",
        ),
    ),
    "document_credit_note_order": MessageTexts(
        NC_("document_credit_note_order subject", "Credit note {number} for order {order_id}"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "document_credit_note_order text",
            "Dear {name},\n\nCredit note {number} for order {order_id}: {amount}.\nYou can see and download it on "
            "your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "document_credit_note_order sms",
            "Bilum: credit note {number}, order {order_id}: {amount}. See it on your buyer page, /buyer",
        ),
    ),
    "document_packing_list": MessageTexts(
        NC_("document_packing_list subject", "Packing list {number} for your shipment"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "document_packing_list text",
            "Dear {name},\n\nPacking list {number} for your shipment of order {order_id}.\nYou can see and download "
            "it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "document_packing_list sms",
            "Bilum: packing list {number} for your shipment of order {order_id}. See it on your buyer page, /buyer",
        ),
    ),
    "payment_overdue": MessageTexts(
        NC_("payment_overdue subject", "Reminder: {outstanding} overdue on order {order_id}"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "payment_overdue text",
            "Dear {name},\n\n{outstanding} for order {order_id} was due on {due_on} and is now {days} days overdue "
            "(documents: {documents}). Please pay it as soon as you can; if you have paid already, thank you, and "
            "please disregard this reminder.\nYour documents are on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "payment_overdue sms",
            "Bilum reminder: {outstanding} for order {order_id} was due {due_on:short}, {days} days ago. Please pay "
            "it soon.",
        ),
    ),
    "claim_accepted": MessageTexts(
        NC_("claim_accepted subject", "Your claim on order {order_id} is accepted"),
        NC_(
            "claim_accepted text",
            "Dear {name},\n\nWe have accepted your claim on order {order_id} for all {claimed_units} units.\nReason: "
            "{reason}\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "claim_accepted sms",
            "Bilum: your claim on order {order_id} is accepted, all {claimed_units} units. Details in your email.",
        ),
    ),
    "claim_accepted_credited": MessageTexts(
        NC_("claim_accepted_credited subject", "Your claim on order {order_id} is accepted"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "claim_accepted_credited text",
            "Dear {name},\n\nWe have accepted your claim on order {order_id} for all {claimed_units} units.\nReason: "
            "{reason}\nWe have issued credit note {credit_note}: you can see and download it on your buyer page in "
            "Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "claim_accepted_credited sms",
            "Bilum: your claim on order {order_id} is accepted, all {claimed_units} units. Credit note {credit_note}, "
            "see /buyer",
        ),
    ),
    "claim_partly_accepted": MessageTexts(
        NC_("claim_partly_accepted subject", "Your claim on order {order_id} is partly accepted"),
        NC_(
            "claim_partly_accepted text",
            "Dear {name},\n\nWe have accepted your claim on order {order_id} for {accepted_units} of the "
            "{claimed_units} units claimed.\nReason: {reason}\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "claim_partly_accepted sms",
            "Bilum: your claim on order {order_id} is partly accepted: {accepted_units} of {claimed_units} units. "
            "Details in your email.",
        ),
    ),
    "claim_partly_accepted_credited": MessageTexts(
        NC_("claim_partly_accepted_credited subject", "Your claim on order {order_id} is partly accepted"),
        # Translators: /buyer is the address of the buyer's page: keep it.
        NC_(
            "claim_partly_accepted_credited text",
            "Dear {name},\n\nWe have accepted your claim on order {order_id} for {accepted_units} of the "
            "{claimed_units} units claimed.\nReason: {reason}\nWe have issued credit note {credit_note}: you can see "
            "and download it on your buyer page in Bilum: /buyer\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "claim_partly_accepted_credited sms",
            "Bilum: claim on order {order_id} partly accepted, {accepted_units} of {claimed_units} units. Credit note "
            "{credit_note}, see /buyer",
        ),
    ),
    "claim_rejected": MessageTexts(
        NC_("claim_rejected subject", "Your claim on order {order_id} is not accepted"),
        NC_(
            "claim_rejected text",
            "Dear {name},\n\nWe have looked into your claim on order {order_id} ({claimed_units} units) and cannot "
            "accept it.\nReason: {reason}\nIf you disagree, please contact us.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "claim_rejected sms",
            "Bilum: your claim on order {order_id} ({claimed_units} units) is not accepted. The reason is in your "
            "email.",
        ),
    ),
    "aggregator_shortfall": MessageTexts(
        NC_("aggregator_shortfall subject", "Order {order_id}: {short} of {ordered} {product} have no producer"),
        NC_(
            "aggregator_shortfall text",
            "Dear {name},\n\nOrder {order_id} asks for {ordered} x {product}, and {short} of them could not be given "
            "to any producer: there is not enough capacity before the due date. Add producers or capacity, or agree a "
            "change with the buyer.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "aggregator_shortfall sms",
            "Bilum: order {order_id}, {product}: {short} of {ordered} have no producer. Add capacity or talk to the "
            "buyer.",
        ),
    ),
    "aggregator_lot_rejected": MessageTexts(
        NC_("aggregator_lot_rejected subject", "Lot rejected: {quantity} x {product} from {producer}"),
        NC_(
            "aggregator_lot_rejected text",
            "Dear {name},\n\nThe lot of {quantity} x {product} from {producer} (work {ref}) failed inspection: "
            "{defects} defective in a sample of {sample_size}. Please call the producer to arrange rework, or let the "
            "quantity be given to others.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        NC_(
            "aggregator_lot_rejected sms",
            "Bilum: lot rejected, {quantity} x {product} from {producer} (work {ref}): {defects} defective of "
            "{sample_size} sampled.",
        ),
    ),
    "aggregator_dead_letters": MessageTexts(
        NC_("aggregator_dead_letters subject", "{count} messages of the {service} service need attention"),
        # Translators: keep the commands in `backquotes` as they are.
        NC_(
            "aggregator_dead_letters text",
            "Dear {name},\n\n{count} messages of the {service} service could not be processed and wait in its "
            "dead-letter queue. Nothing is lost: list them with `bilum dlq list` and replay them with `bilum dlq "
            "replay` once the cause is fixed.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "aggregator_dead_letters sms",
            "Bilum: {count} messages of the {service} service are in the dead-letter queue. See bilum dlq list.",
        ),
    ),
    "aggregator_shipment_late": MessageTexts(
        NC_("aggregator_shipment_late subject", "Shipment {shipment_id} is late"),
        NC_(
            "aggregator_shipment_late text",
            "Dear {name},\n\nShipment {shipment_id} was due on {due_on} and has not been delivered yet. The buyers of "
            "the orders it carries may need to be told.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "aggregator_shipment_late sms",
            "Bilum: shipment {shipment_id} is late: it was due {due_on:short} and is not delivered yet.",
        ),
    ),
    "aggregator_unreachable": MessageTexts(
        NC_("aggregator_unreachable subject", "{producer} cannot be reached"),
        NC_(
            "aggregator_unreachable text",
            "Dear {name},\n\nWe could not reach {producer} ({contact}) about work {ref} on any channel. Please "
            "contact them another way, or check their phone number and email.\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "aggregator_unreachable sms",
            "Bilum: we cannot reach {producer} ({contact}) about work {ref}. Please contact them another way.",
        ),
    ),
    "aggregator_quote_requested": MessageTexts(
        NC_("aggregator_quote_requested subject", "Quote request from {company}: {title}"),
        NC_(
            "aggregator_quote_requested text",
            "Dear {name},\n\n{requester} ({company}) asks for a quote from your catalogue {title}:\n{items}\n\nAnswer "
            "them at {reply_to}.\n\nTheir message:\n{message}\n\nThe Bilum team",
        ),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "aggregator_quote_requested sms",
            "Bilum: quote request from {requester} ({company}) on {title}. Answer at {reply_to}.",
        ),
    ),
    "daily_digest": MessageTexts(
        NC_("daily_digest subject", "Bilum: your summary for {day}"),
        NC_("daily_digest text", "Dear {name},\n\nWhat happened on {day}:\n{items}\n\nThe Bilum team"),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_("daily_digest sms", "Bilum: {items:count} updates for {day:short}. The details are in your email."),
    ),
    "sms_reply_unknown": _reply(
        NC_("sms_reply_unknown subject", "Unknown phone number"),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "sms_reply_unknown sms",
            "Bilum: we do not know this phone number. Please ask your group to register it with Bilum.",
        ),
    ),
    "sms_help": _reply(NC_("sms_help subject", "How to answer Bilum"), sms.HELP_TEXT),
    "sms_reply_quantity_refused": _reply(
        NC_("sms_reply_quantity_refused subject", "We could not take your number"),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        # Keep HELP in English: producers answer with it.
        NC_(
            "sms_reply_quantity_refused sms",
            "Bilum: {asked} does not fit work {ref} ({quantity} x {product}). Please send a number that fits, or "
            "reply HELP.",
        ),
    ),
    "sms_reply_top_up_refused": _reply(
        NC_("sms_reply_top_up_refused subject", "We could not take your number"),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in (a product name may have 30 letters).
        # Keep HELP in English: producers answer with it.
        NC_(
            "sms_reply_top_up_refused sms",
            "Bilum: {asked} does not fit the extra {more} x {product} for work {ref}. Please send a number that fits, "
            "or reply HELP.",
        ),
    ),
    "sms_reply_closed": _reply(
        NC_("sms_reply_closed subject", "Work {ref} cannot take this answer"),
        # Translators: one SMS: 160 GSM-7 characters at most with the values in.
        NC_(
            "sms_reply_closed sms",
            "Bilum: work {ref} cannot take this answer now. It may be answered already, closed, or not accepted yet. "
            "Your group can help.",
        ),
    ),
    "sms_error_empty": _reply(
        NC_("sms_error_empty subject", "We did not understand your answer"), sms.REPLY_ERRORS["empty"]
    ),
    "sms_error_unknown_command": _reply(
        NC_("sms_error_unknown_command subject", "We did not understand your answer"),
        sms.REPLY_ERRORS["unknown_command"],
    ),
    "sms_error_missing_ref": _reply(
        NC_("sms_error_missing_ref subject", "We did not understand your answer"), sms.REPLY_ERRORS["missing_ref"]
    ),
    "sms_error_bad_ref": _reply(
        NC_("sms_error_bad_ref subject", "We did not understand your answer"), sms.REPLY_ERRORS["bad_ref"]
    ),
    "sms_error_extra_words": _reply(
        NC_("sms_error_extra_words subject", "We did not understand your answer"), sms.REPLY_ERRORS["extra_words"]
    ),
    "sms_error_unexpected_quantity": _reply(
        NC_("sms_error_unexpected_quantity subject", "We did not understand your answer"),
        sms.REPLY_ERRORS["unexpected_quantity"],
    ),
    "sms_error_missing_quantity": _reply(
        NC_("sms_error_missing_quantity subject", "We did not understand your answer"),
        sms.REPLY_ERRORS["missing_quantity"],
    ),
    "sms_error_bad_quantity": _reply(
        NC_("sms_error_bad_quantity subject", "We did not understand your answer"), sms.REPLY_ERRORS["bad_quantity"]
    ),
}
