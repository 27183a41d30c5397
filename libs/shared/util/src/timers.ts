/** The longest delay a Node timer takes (2^31-1 ms, ~24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;
