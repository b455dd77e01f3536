"""The home page: the tiles every capability registers (anjian.core.tiles), for the
signed-in user. This app sits above the capabilities; nothing imports it."""
