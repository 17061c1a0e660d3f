// Plinth: written once @plinth/node and @plinth/router exist.
throw new Error('the Plinth server is not written yet');
