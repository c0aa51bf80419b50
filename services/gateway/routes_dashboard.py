"""Route of the fulfilment dashboard: every figure it shows, each computed by the service that owns it."""

from marshmallow import Schema, fields, validate

from services.gateway.auth import ADMIN, AGGREGATOR
from services.gateway.http import api, json_response, now_iso, read_query, start, wait
from shared.everyones_figures import COUNTED_AT


class DashboardQuery(Schema):
    organisation_id = fields.String(validate=validate.Length(min=1, max=64))


class DashboardRoutes:
    """Mixed into the gateway, whose RPC proxies of every service it calls."""

    @api(
        "GET",
        "/api/v1/dashboard",
        roles=frozenset({ADMIN, AGGREGATOR}),
        query=DashboardQuery,
        tag="dashboard",
        summary="Fulfilment figures of the caller's organisation (an admin: everyone's, or one organisation's), with "
        "their weekly trends over the last twelve weeks",
        answer="gateway.dashboard_answer.DashboardAnswer",
    )
    def dashboard(self, request, principal):
        """Every figure of the fulfilment dashboard, each computed by the service that owns it, in parallel. Both
        services count their weeks up to the same moment, so their weeks are the same. The answer is as old as its
        oldest figure: everyone's, over a long history, are counted in the background (``COUNTED_AT``)."""
        organisation_id = self.dashboard_scope(request, principal)
        now = now_iso()
        replies = {
            "orders": start(self.orders, "summary", organisation_id),
            "quotas": start(self.aggregation, "quota_counts", organisation_id),
            "allocation": start(self.aggregation, "fulfilment_figures", organisation_id),
            "shipments": start(self.consolidation, "shipment_counts", organisation_id),
            "producers": start(self.catalogue, "producer_count", organisation_id),
            "regions": start(self.catalogue, "producer_regions", organisation_id),
            "money": start(self.settlement, "money_figures", organisation_id or "*"),
            "receivables": start(
                self.settlement, "receivables", {"organisation_id": organisation_id} if organisation_id else {}
            ),
            "order_trends": start(self.orders, "weekly_trends", organisation_id, now),
            "quality_trends": start(self.aggregation, "weekly_trends", organisation_id, now),
        }
        figures = {name: wait(reply) for name, reply in replies.items()}
        generated_at = oldest_moment(figures, now)
        summary, allocation = figures["orders"], figures["allocation"]
        shares = allocation["work_shares"]
        rated = sorted(
            {rate["producer_id"] for rate in allocation["pass_rates"]}
            | {share["producer_id"] for share in shares["producers"]}
        )
        names = wait(start(self.catalogue, "producer_names", rated)) if rated else {}
        return json_response(
            {
                "generated_at": generated_at,
                "organisation_id": organisation_id,
                "orders": summary["orders"],
                "units": summary["units"],
                "fill_rate": summary["fill_rate"],
                "otif": summary["otif"],
                "shortfalls": summary["shortfalls"],
                "quotas": figures["quotas"],
                "open_quota_ages": allocation["open_quota_ages"],
                "qc_pass_rates": [
                    {**rate, "name": names.get(rate["producer_id"])} for rate in allocation["pass_rates"]
                ],
                "capacity": allocation["capacity"],
                "work_shares": {
                    **shares,
                    "producers": [{**share, "name": names.get(share["producer_id"])} for share in shares["producers"]],
                },
                "shipments": figures["shipments"],
                "producers": figures["producers"],
                "regions": figures["regions"],
                "recent_orders": summary["recent_orders"],
                "money": figures["money"]["currencies"],
                "receivables": figures["receivables"]["currencies"],
                "trends": side_by_side(figures["order_trends"], figures["quality_trends"]),
            }
        )

    def dashboard_scope(self, request, principal) -> str | None:
        """Whose figures the dashboard shows: an aggregator's own organisation's, whatever it asks; an admin's
        choice, everyone's when it names none."""
        named = read_query(request, DashboardQuery()).get("organisation_id")
        if principal.role != ADMIN:
            return principal.organisation_id
        return named


def oldest_moment(figures: dict, now: str) -> str:
    """When the oldest of the services' figures were counted (``now`` when all were counted for this answer); the
    moments the services gave are taken out of their figures."""
    kept = [part.pop(COUNTED_AT) for part in figures.values() if isinstance(part, dict) and COUNTED_AT in part]
    return min([now, *kept])


def side_by_side(order_weeks: list[dict], quality_weeks: list[dict]) -> list[dict]:
    """Each week's figures of orders and of aggregation in one entry, oldest first."""
    if [week["week"] for week in order_weeks] != [week["week"] for week in quality_weeks]:
        raise ValueError("orders and aggregation counted different weeks")
    return [{**orders, **quality} for orders, quality in zip(order_weeks, quality_weeks)]
