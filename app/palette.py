"""The app's colours: Okabe–Ito, safe for colour-blind viewers (and for projectors)."""

BLUE = (0, 114, 178)
VERMILION = (213, 94, 0)
BLUISH_GREEN = (0, 158, 115)
REDDISH_PURPLE = (204, 121, 167)
ORANGE = (230, 159, 0)
SKY_BLUE = (86, 180, 233)
BLACK = (0, 0, 0)
YELLOW = (240, 228, 66)

#: One colour per series (variant, layer), in this order.
SERIES = [BLUE, VERMILION, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW]
