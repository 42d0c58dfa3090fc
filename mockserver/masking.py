"""Secret masking, shared with the client side: the functions live in `spotcheck.client.masking`
(the contract suite masks its reports without importing the mock)."""

from spotcheck.client.masking import MASK, is_sensitive, mask_text, mask_value

__all__ = ["MASK", "is_sensitive", "mask_text", "mask_value"]
