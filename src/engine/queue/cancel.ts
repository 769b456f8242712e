/** How a control plane tells workers to cancel a job: a key (for a job not yet taken) and a message (for one running). */
export const cancelKey = (queueName: string, jobId: string) => `awe:${queueName}:cancel:${jobId}`;
export const cancelChannel = (queueName: string) => `awe:${queueName}:cancel`;
