"""The app's long-running work, one controller per topic (cards, INSi retries and
outputs, ApCV, training cards, arrivals).

Each controller speaks to the desk from thread workers and hands results back to the UI
thread as Textual messages; the app's routing table (tui/app.py) passes each message to
its controller. Controllers reach screens only through the app's navigation.
"""
