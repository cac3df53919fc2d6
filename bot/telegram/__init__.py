"""The Telegram channel (python-telegram-bot): the channel (channel.py), the conversation's handlers
(handlers.py), the typed context every channel's handlers share (context.py), sending (sender.py), serving
(app.py). The Application is put together in bot/channels.
"""
