"""The demonstration's first act: the co-operative's offerings, its producers with their weekly capacity, and its
contact, all through the public API; a previous demonstration's data is refused."""

from datetime import UTC, date, datetime, timedelta

from bilum import demo_data
from bilum.demo_catalogue import OFFERING_TEXTS
from bilum.demo_http import DemoFailed
from bilum.demo_sms import SmsProducer
from bilum.waiting import eventually
from shared.weeks import iso_week

CALENDAR_WEEKS = 6
CALENDAR_LEAD_TIME_DAYS = 7


def weekly_calendar(units: int, today: date) -> list:
    """A producer's capacity spread evenly over the coming weeks, starting next Monday."""
    first = today + timedelta(days=7 - today.weekday())
    per_week, extra = divmod(units, CALENDAR_WEEKS)
    weeks = [
        {"week": iso_week(first + timedelta(weeks=n)), "units": per_week + (1 if n < extra else 0)}
        for n in range(CALENDAR_WEEKS)
    ]
    return [week for week in weeks if week["units"]]


class DemoSetup:
    """Mixed into ``Demo``: the setting up, before any buyer orders."""

    def refuse_a_previous_demo(self) -> None:
        """A previous demo's quotas still hold the producers' capacity, so this run's orders could never be allocated
        in full: say so at once rather than time out. Services that ``bilum demo`` starts itself find none, unless
        their databases are configured elsewhere than its own var directory."""
        skus = {offering["sku"] for offering in demo_data.OFFERINGS}
        found = sorted(
            item["sku"]
            for item in self.api.get("/api/v1/offerings", organisation_id=demo_data.ORGANISATION["id"], status="all")[
                "items"
            ]
            if item["sku"] in skus
        )
        if found:
            raise DemoFailed(
                f"the services hold a previous demo's data (its offerings {', '.join(found)}), whose quotas hold the "
                "producers' capacity: this run's orders could not be allocated in full. Stop the services and run "
                "`bilum demo` again with no database configured (BILUM_DATABASE_URL, BILUM_<SERVICE>_DB): it then "
                "starts them from a clean slate of its own."
            )

    def publish_offerings(self) -> None:
        for offering in demo_data.OFFERINGS:
            _, created = self.api.post(
                "/api/v1/offerings",
                {
                    **offering,
                    "organisation_id": demo_data.ORGANISATION["id"],
                    "translations": OFFERING_TEXTS.get(offering["sku"], {}),
                },
            )
            self.offering_ids[offering["sku"]] = created["id"]
        self.say(f"{len(self.offering_ids)} pooled offerings published by {demo_data.ORGANISATION['name']}")

    def register_producers(self) -> None:
        districts = set()
        today = datetime.now(UTC).date()
        for producer in demo_data.PRODUCERS:
            _, created = self.api.post(
                "/api/v1/producers",
                {**demo_data.producer_body(producer), "organisation_id": demo_data.ORGANISATION["id"]},
            )
            producer_id = self.producer_ids[producer["name"]] = created["id"]
            districts.add(producer["district"])
            for sku, units in producer["capacity"].items():
                self.api.post(
                    f"/api/v1/offerings/{self.offering_ids[sku]}/approvals",
                    {
                        "producer_id": producer_id,
                        "stage": "sample",
                        "status": "approved",
                        "decided_on": (today - timedelta(days=30)).isoformat(),
                    },
                )
                self.api.post(
                    f"/api/v1/producers/{producer_id}/capacity",
                    {
                        "offering_id": self.offering_ids[sku],
                        "weeks": weekly_calendar(units, today),
                        "lead_time_days": CALENDAR_LEAD_TIME_DAYS,
                    },
                )
        self.say(
            f"{len(self.producer_ids)} producers registered in {len(districts)} districts, approved, "
            f"with {CALENDAR_WEEKS}-week capacity calendars"
        )

    def set_aggregator_contact(self) -> None:
        """Where the co-operative hears of shortfalls, rejected lots and producers who cannot be reached; and the
        producer who takes part by SMS alone, from a basic phone."""
        organisation = demo_data.ORGANISATION
        self.api.request(
            "PUT",
            f"/api/v1/organisations/{organisation['id']}/contact",
            json={
                "name": organisation["name"],
                "email": demo_data.AGGREGATOR_EMAIL,
                "languages": ["en", "tpi"],
                "timezone": "Pacific/Port_Moresby",
            },
        )
        texter = next(p for p in demo_data.PRODUCERS if p["name"] == demo_data.SMS_PRODUCER)
        self.sms_producer = SmsProducer(
            self.api.base_url,
            self.sms_secret,
            self.producer_ids[texter["name"]],
            texter["mobile"],
            credentials=dict(self.api.http.headers),
            phone=self.phone,
        )
        self.say(f"{organisation['name']} set its contact; {texter['name']} will answer by SMS only")

    def wait_for_capacity(self) -> None:
        """Allocation learns capacity from the catalogue's events; wait until it has heard all of them."""
        for sku, offering_id in self.offering_ids.items():
            declared = sum(p["capacity"].get(sku, 0) for p in demo_data.PRODUCERS)

            def known(offering_id=offering_id, declared=declared):
                status, view = self.api.request("GET", f"/api/v1/offerings/{offering_id}/capacity", expect=(200, 404))
                return status == 200 and view["declared"] == declared

            eventually(known, f"allocation to know the capacity of {sku}")
        self.say("allocation knows every producer's capacity")
