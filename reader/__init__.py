"""The reader stage: a span-extraction model over question + passage windows (issue 10).

``reader.model.SpanReader`` (inference API), ``reader.windows`` (windowing and offsets),
``reader.data`` (training examples), ``reader.train`` (the training command).
"""
