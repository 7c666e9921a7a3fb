"""Events, producers, consumers and sagas in Python code (CL2xx).

One shared analysis per module, ``commlint.analyses.kafka.build.kafka(module)``, finds the
Kafka clients (confluent-kafka, aiokafka, kafka-python, faust), resolved through imports
and aliases and followed from where they are built to where they are used: each
consumer's configuration, its consume loops with the calls that handle and commit each
message, and every produce call with its topic, key, value and headers. The checks, one
module per part of the standard, read it; none re-walks the tree.

Values that cannot be known statically (a config dict passed in, a handler imported from
another module) are not findings; ``--strict`` turns them into notes where a rule says so.
"""

from . import consumers, groups, immutability, pitfalls, producers, sagas  # noqa: F401 - registers the checks
