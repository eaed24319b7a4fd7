"""claimbot's Telegram layer and command line: adapters over the ``claims`` domain."""
