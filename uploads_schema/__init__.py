"""The upload contract of the annual emissions return: vocabularies, column declaration, models, templates."""
