"""What the Bilum services really share: the event contract and the messaging machinery."""
