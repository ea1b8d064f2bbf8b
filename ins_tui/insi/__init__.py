"""INSi téléservice: contract files loaded by zeep, the client, the simulator.

The package logger gets a NullHandler (the library convention): without one, Python's
last-resort handler would print the client's technical English warnings on the
operator's terminal next to the French message; the application's own logging
configuration still receives every record.
"""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())
