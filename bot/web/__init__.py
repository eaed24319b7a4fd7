"""The web adapter: public fact-check pages and the admins' desk (``claimbot web``), an adapter
like the Telegram bot beside it, over the same ``ClaimService`` door (see ``bot.web.app``)."""
