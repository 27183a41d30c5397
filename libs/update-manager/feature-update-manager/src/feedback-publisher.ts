// How the manager's feedback leaves (Kanto update-manager api/agent/callback_desired_state_feedback.go and
// timer_desired_state_feedback.go): every status but RUNNING at once; RUNNING at most once per
// reportFeedbackInterval, the first at once and then, when the interval is over, the latest actions if they
// changed since the last report (0 = no RUNNING reports, as Kanto). A final status ends the throttle.
import { FINAL_STATUSES, type DesiredStateFeedback } from '@ledge/shared/model-update';
import type { Scheduler, Timer } from '@ledge/shared/util';

export interface FeedbackPublisher {
  report(activityId: string, feedback: DesiredStateFeedback): void;
  close(): void;
}

export interface FeedbackPublisherOptions {
  readonly intervalMs: number;
  readonly scheduler: Scheduler;
  readonly publish: (activityId: string, feedback: DesiredStateFeedback) => void;
}

export function createFeedbackPublisher(options: FeedbackPublisherOptions): FeedbackPublisher {
  const { intervalMs, scheduler, publish } = options;
  let timer: Timer | undefined;
  let latest: { activityId: string; feedback: DesiredStateFeedback } | undefined;
  let sent = '';
  const key = (activityId: string, fb: DesiredStateFeedback) => JSON.stringify([activityId, fb.actions ?? []]);

  const stop = () => {
    timer?.cancel();
    timer = undefined;
    latest = undefined;
  };
  const tick = () => {
    timer = undefined;
    if (latest === undefined || key(latest.activityId, latest.feedback) === sent) return;
    sent = key(latest.activityId, latest.feedback);
    publish(latest.activityId, latest.feedback);
    timer = scheduler.setTimeout(tick, intervalMs); // Ledge: keeps the pace; Kanto would send the next change at once
  };

  return {
    report(activityId, feedback) {
      if (feedback.status !== 'RUNNING') {
        // A refused second activity is final too, but not the end of the running one's reports.
        if (FINAL_STATUSES.has(feedback.status) && (latest === undefined || latest.activityId === activityId)) stop();
        publish(activityId, feedback);
        return;
      }
      if (intervalMs <= 0) return;
      latest = { activityId, feedback };
      if (timer !== undefined) return;
      sent = key(activityId, feedback);
      publish(activityId, feedback);
      timer = scheduler.setTimeout(tick, intervalMs);
    },
    close: stop,
  };
}
