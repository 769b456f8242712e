/**
 * zod issues as words, shared by tool invocation and workflow validation so both speak
 * the same way. The formatter itself lives in the contract (the renderer and the server
 * use it too).
 */
export { describeIssue, formatIssues, formatPath, issueLines } from '../../contract/issues';
