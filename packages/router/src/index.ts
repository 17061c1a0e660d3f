// @plinth/router: under construction.
export const VERSION: string = '0.1.0';
