"""The catalogue service: producers, pooled offerings, capacity calendars, readiness and published catalogues."""

from functools import partial

from services.catalogue import capacity, offerings, producer_groups, producers, quote_requests, share_links, themes
from services.catalogue.store import inbox, outbox
from shared.messaging import ServiceDatabase, on_event, rpc_use_case


class CatalogueService:
    name = "catalogue"

    db = ServiceDatabase(outbox, inbox)

    on_quota_accepted = on_event("aggregation", "quota.accepted", capacity.record_commitment)
    on_quota_topped_up = on_event("aggregation", "quota.topped_up", capacity.record_commitment)
    on_quota_declined = on_event(
        "aggregation", "quota.declined", partial(capacity.release_commitment, reason="declined")
    )
    on_quota_expired = on_event("aggregation", "quota.expired", partial(capacity.release_commitment, reason="expired"))
    on_quota_released = on_event(
        "aggregation", "quota.released", partial(capacity.release_commitment, reason="cancelled")
    )

    register_producer = rpc_use_case(producers.register_producer)
    update_producer = rpc_use_case(producers.update_producer)
    get_producer = rpc_use_case(producers.get_producer)
    search_producers = rpc_use_case(producers.search_producers)
    producer_count = rpc_use_case(producers.producer_count, expected_exceptions=())
    producer_regions = rpc_use_case(producers.producer_regions, expected_exceptions=())
    producer_names = rpc_use_case(producers.producer_names, expected_exceptions=())
    submit_readiness = rpc_use_case(producers.submit_readiness)
    get_readiness = rpc_use_case(producers.get_readiness)

    publish_offering = rpc_use_case(offerings.publish_offering)
    withdraw_offering = rpc_use_case(offerings.withdraw_offering)
    get_offering = rpc_use_case(offerings.get_offering)
    get_offering_image = rpc_use_case(offerings.get_offering_image)
    put_offering_image = rpc_use_case(offerings.put_offering_image)
    save_group = rpc_use_case(producer_groups.save_group)
    get_group = rpc_use_case(producer_groups.get_group)
    list_groups = rpc_use_case(producer_groups.list_groups)
    set_group_picture = rpc_use_case(producer_groups.set_group_picture)
    get_group_picture = rpc_use_case(producer_groups.get_group_picture)
    search_offerings = rpc_use_case(offerings.search_offerings)
    set_approval = rpc_use_case(offerings.set_approval)

    declare_capacity = rpc_use_case(capacity.declare_capacity)
    import_capacity = rpc_use_case(capacity.import_capacity)
    capacity_calendar = rpc_use_case(capacity.capacity_calendar)
    availability = rpc_use_case(capacity.availability)

    save_theme = rpc_use_case(themes.save_theme)
    get_theme = rpc_use_case(themes.get_theme)
    list_themes = rpc_use_case(themes.list_themes, expected_exceptions=())
    export_theme = rpc_use_case(themes.export_theme)

    create_share_link = rpc_use_case(share_links.create_share_link)
    list_share_links = rpc_use_case(share_links.list_share_links)
    revoke_share_link = rpc_use_case(share_links.revoke_share_link)
    shared_page = rpc_use_case(share_links.shared_page)
    shared_pdf = rpc_use_case(share_links.shared_pdf)
    shared_image = rpc_use_case(share_links.shared_image)
    shared_group_picture = rpc_use_case(share_links.shared_group_picture)
    request_quote = rpc_use_case(quote_requests.request_quote)
    answer_quote_form = rpc_use_case(quote_requests.answer_quote_form)
    list_quote_requests = rpc_use_case(quote_requests.list_quote_requests)
