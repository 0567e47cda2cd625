"""One module per page: upload, organisation, compare, wales."""
