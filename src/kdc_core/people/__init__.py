"""People and places: councillors, officers, wards, groups and the organisation."""
