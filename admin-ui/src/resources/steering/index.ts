/**
 * Steering (Baustein 1) in the web app: the coordination's themes, steering group (members,
 * meetings with agenda, minutes and decisions) and measures; the case managers' closing notices.
 */
export { steeringThemes } from './themes';
export { steeringMeetings } from './meetings';
export { steeringMeasures } from './measures';
export { steeringNotices } from './notices';
