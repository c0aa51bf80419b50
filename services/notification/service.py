"""The notification service: tells producers and buyers what concerns them, on a channel they can use."""
from nameko.rpc import rpc

from services.notification import app
from services.notification.store import inbox, outbox
from shared.messaging import ServiceDatabase, reliable_handler


class NotificationService:
    name = "notification"

    db = ServiceDatabase(outbox, inbox)

    @reliable_handler("catalogue", "producer.registered")
    def on_producer_registered(self, event):
        self.db.handle_once(event, app.record_producer)

    @reliable_handler("catalogue", "producer.updated")
    def on_producer_updated(self, event):
        self.db.handle_once(event, app.record_producer)

    @reliable_handler("catalogue", "offering.published")
    def on_offering_published(self, event):
        self.db.handle_once(event, app.record_offering)

    @reliable_handler("orders", "order.placed")
    def on_order_placed(self, event):
        self._notify(event, app.notify_order_placed)

    @reliable_handler("orders", "order.status_changed")
    def on_order_status_changed(self, event):
        self._notify(event, app.notify_order_status)

    @reliable_handler("aggregation", "quota.offered")
    def on_quota_offered(self, event):
        self._notify(event, app.notify_quota_offered)

    @reliable_handler("aggregation", "lot.inspected")
    def on_lot_inspected(self, event):
        self._notify(event, app.notify_lot_inspected)

    @rpc
    def delivery_log(self, correlation_id=None, limit=100):
        with self.db.transaction() as session:
            return app.delivery_log(session, correlation_id, limit)

    def _notify(self, event, use_case):
        self.db.handle_once(event, lambda session, event: use_case(self.db, session, event))
