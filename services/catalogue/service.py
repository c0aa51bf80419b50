"""The catalogue service: producers, pooled offerings and the capacity each producer declares."""
from nameko.rpc import rpc

from services.catalogue import app
from services.catalogue.store import inbox, outbox
from shared.errors import EXPECTED
from shared.messaging import ServiceDatabase


class CatalogueService:
    name = "catalogue"

    db = ServiceDatabase(outbox, inbox)

    @rpc(expected_exceptions=EXPECTED)
    def register_producer(self, body):
        with self.db.transaction() as session:
            return app.register_producer(self.db, session, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_producer(self, producer_id):
        with self.db.transaction() as session:
            return app.get_producer(session, producer_id)

    @rpc(expected_exceptions=EXPECTED)
    def list_producers(self, page=1, page_size=50):
        with self.db.transaction() as session:
            return app.list_producers(session, page, page_size)

    @rpc
    def producer_count(self):
        with self.db.transaction() as session:
            return app.producer_count(session)

    @rpc(expected_exceptions=EXPECTED)
    def publish_offering(self, body):
        with self.db.transaction() as session:
            return app.publish_offering(self.db, session, body)

    @rpc(expected_exceptions=EXPECTED)
    def get_offering(self, offering_id):
        with self.db.transaction() as session:
            return app.get_offering(session, offering_id)

    @rpc
    def list_offerings(self):
        with self.db.transaction() as session:
            return app.list_offerings(session)

    @rpc(expected_exceptions=EXPECTED)
    def declare_capacity(self, producer_id, body):
        with self.db.transaction() as session:
            return app.declare_capacity(self.db, session, producer_id, body)
