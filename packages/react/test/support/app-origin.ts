/** The origin the components under test run on (happy-dom's page URL). */
export const APP_ORIGIN = 'http://localhost:5173';
