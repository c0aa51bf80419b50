"""The catalogue service: producers, pooled offerings, capacity calendars, readiness and published catalogues."""
import base64

from services.catalogue import app
from services.catalogue.store import inbox, outbox
from shared.errors import EXPECTED
from shared.messaging import ServiceDatabase, reliable_handler, rpc


class CatalogueService:
    name = "catalogue"

    db = ServiceDatabase(outbox, inbox)

    @reliable_handler("aggregation", "quota.accepted")
    def on_quota_accepted(self, event):
        self.db.handle_once(event, app.record_commitment)

    @reliable_handler("aggregation", "quota.topped_up")
    def on_quota_topped_up(self, event):
        self.db.handle_once(event, app.record_commitment)

    @reliable_handler("aggregation", "quota.declined")
    def on_quota_declined(self, event):
        self.db.handle_once(event, lambda session, event: app.release_commitment(session, event, "declined"))

    @reliable_handler("aggregation", "quota.expired")
    def on_quota_expired(self, event):
        self.db.handle_once(event, lambda session, event: app.release_commitment(session, event, "expired"))

    @reliable_handler("aggregation", "quota.released")
    def on_quota_released(self, event):
        self.db.handle_once(event, lambda session, event: app.release_commitment(session, event, "cancelled"))

    @rpc(expected_exceptions=EXPECTED)
    def register_producer(self, body):
        with self.db.transaction() as session:
            return app.register_producer(self.db, session, body)

    @rpc(expected_exceptions=EXPECTED)
    def update_producer(self, producer_id, body):
        with self.db.transaction() as session:
            return app.update_producer(self.db, session, producer_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_producer(self, producer_id):
        with self.db.transaction() as session:
            return app.get_producer(session, producer_id)

    @rpc(expected_exceptions=EXPECTED)
    def search_producers(self, query):
        with self.db.transaction() as session:
            return app.search_producers(session, query)

    @rpc
    def producer_count(self, organisation_id=None):
        with self.db.transaction() as session:
            return app.producer_count(session, organisation_id)

    @rpc
    def producer_regions(self, organisation_id=None):
        with self.db.transaction() as session:
            return app.producer_regions(session, organisation_id)

    @rpc
    def producer_names(self, producer_ids):
        with self.db.transaction() as session:
            return app.producer_names(session, producer_ids)

    @rpc(expected_exceptions=EXPECTED)
    def submit_readiness(self, producer_id, body):
        with self.db.transaction() as session:
            return app.submit_readiness(session, producer_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_readiness(self, producer_id):
        with self.db.transaction() as session:
            return app.get_readiness(session, producer_id)

    @rpc(expected_exceptions=EXPECTED)
    def publish_offering(self, body):
        with self.db.transaction() as session:
            return app.publish_offering(self.db, session, body)

    @rpc(expected_exceptions=EXPECTED)
    def withdraw_offering(self, offering_id, body):
        with self.db.transaction() as session:
            return app.withdraw_offering(self.db, session, offering_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_offering(self, offering_id, staff_of=None):
        """``staff_of``: the organisation of the staff asking ("*" for an admin); they alone see producer prices."""
        with self.db.transaction() as session:
            return app.get_offering(session, offering_id, staff_of)

    @rpc(expected_exceptions=EXPECTED)
    def get_offering_image(self, offering_id, position):
        with self.db.transaction() as session:
            return app.get_offering_image(session, offering_id, position)

    @rpc(expected_exceptions=EXPECTED)
    def search_offerings(self, query, staff_of=None):
        with self.db.transaction() as session:
            return app.search_offerings(session, query, staff_of)

    @rpc(expected_exceptions=EXPECTED)
    def set_approval(self, offering_id, body):
        with self.db.transaction() as session:
            return app.set_approval(self.db, session, offering_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def declare_capacity(self, producer_id, body):
        with self.db.transaction() as session:
            return app.declare_capacity(self.db, session, producer_id, body)

    @rpc(expected_exceptions=EXPECTED)
    def import_capacity(self, text, organisation_id=None):
        with self.db.transaction() as session:
            return app.import_capacity(self.db, session, text, organisation_id)

    @rpc(expected_exceptions=EXPECTED)
    def capacity_calendar(self, producer_id, offering_id=None):
        with self.db.transaction() as session:
            return app.capacity_calendar(session, producer_id, offering_id)

    @rpc(expected_exceptions=EXPECTED)
    def availability(self, offering_id, query):
        with self.db.transaction() as session:
            return app.availability(session, offering_id, query)

    @rpc(expected_exceptions=EXPECTED)
    def save_theme(self, body):
        with self.db.transaction() as session:
            return app.save_theme(session, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_theme(self, name):
        with self.db.transaction() as session:
            return app.get_theme(session, name)

    @rpc
    def list_themes(self):
        with self.db.transaction() as session:
            return app.list_themes(session)

    @rpc(expected_exceptions=EXPECTED)
    def export_theme(self, name, export_format):
        """Bytes do not survive JSON, so the document travels as base64 text."""
        with self.db.transaction() as session:
            document, content_type = app.export_theme(session, name, export_format)
        return {"content_type": content_type, "data": base64.b64encode(document).decode()}
