"""Writes of the notifications app. Channel/rule CRUD, delivery planning and sending, the inbox, digests."""
